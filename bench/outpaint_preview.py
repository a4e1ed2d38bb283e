"""The outpaint preview against what a user does without it: queue the expand node and look at its output.

Run: .venv/bin/python bench/outpaint_preview.py [--repeats 5]

A real ComfyUI (``main.py --cpu``, the pack loaded, OMP_NUM_THREADS as the tests use it); the
picture is skimage's astronaut scaled to 1536×1024, padded 30% left and right and 20% on top
(1792×1232 after rounding). Per pre-fill, medians of:

- preview: POST /inpaint-bridge/outpaint/preview (HTTP round trip from this process): geometry at
  full size, the pre-fill and mask on a copy downscaled to 320 px, both as data URLs;
- queue: LoadImage → IB_OutpaintExpand → PreviewImage through /prompt until /history has it, plus
  fetching the canvas from /view (what a user waits for to see the canvas without the preview);

and, in headless Chromium with ComfyUI's frontend (the outpaint template, edge pre-fill), the time
from a widget change to the frame that draws the new preview (includes the 120 ms debounce).
Every repeat changes the overlap, so ComfyUI's output cache never answers for the node.
"""

import argparse
import json
import pathlib
import statistics
import tempfile
import time
import urllib.request

from _common import row
from PIL import Image
from skimage import data

from support.browser import Browser  # noqa: E402
from support.comfy_frontend import load_template, open_comfy  # noqa: E402
from support.comfy_server import ComfyServer  # noqa: E402
from support.graph import GraphBuilder  # noqa: E402
from support.outpaint_preview_page import PREVIEW  # noqa: E402

PREFILLS = ("edge", "grey", "telea")  # exemplar: >2 min a run at this size, ~0.6 s previewed
SETTINGS = {"mode": "fraction", "left_fraction": 0.3, "right_fraction": 0.3, "top_fraction": 0.2}


def post(url: str, body: dict) -> float:
    request = urllib.request.Request(
        url + "/inpaint-bridge/outpaint/preview", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        json.loads(response.read())
    return (time.perf_counter() - started) * 1000


def queued(client, picture: str, settings: dict) -> float:
    g = GraphBuilder()
    load = g.node("LoadImage", image=picture)
    expand = g.node("IB_OutpaintExpand", image=load.out(0), **settings)
    preview = g.node("PreviewImage", images=expand.out(0))
    started = time.perf_counter()
    outputs = client.run(g.build())
    client.view(outputs[preview.id]["images"][0])
    return (time.perf_counter() - started) * 1000


def server_side(server, repeats: int) -> None:
    client = server.client()
    picture = client.upload_image(
        Image.fromarray(data.astronaut()).resize((1536, 1024), Image.LANCZOS), "ib_bench_outpaint.png"
    )
    image = {"filename": picture, "subfolder": "", "type": "input"}
    row("pre-fill", "preview ms (median)", "queue + view ms (median)", "ratio")
    for prefill in PREFILLS:
        previews, queues = [], []
        for i in range(repeats + 1):  # the first round decodes the picture / warms up: not counted
            settings = {**SETTINGS, "prefill": prefill, "overlap": 32 + i}
            p, q = post(server.url, {"image": image, "settings": settings}), queued(client, picture, settings)
            if i:
                previews.append(p)
                queues.append(q)
        p, q = statistics.median(previews), statistics.median(queues)
        row(prefill, f"{p:.0f}", f"{q:.0f}", f"{p / q:.3f}")


CHANGE_JS = f"""async (left) => {{
  const node = window.app.graph.nodes.find((n) => n.type === 'IB_OutpaintExpand');
  const w = node.widgets.find((w) => w.name === 'left_fraction');
  const before = document.querySelector('{PREVIEW}').ibDrawn?.seq ?? 0;
  const started = performance.now();
  w.value = left;
  w.callback?.(left, window.app.canvas, node);
  node.setDirtyCanvas(true, true);
  while (performance.now() - started < 20000) {{
    await new Promise((ok) => requestAnimationFrame(ok));
    const drawn = document.querySelector('{PREVIEW}').ibDrawn;
    if (drawn?.seq > before) return drawn.at - started;
  }}
  throw new Error('no preview drawn within 20 s');
}}"""


def browser_side(server, repeats: int) -> None:
    with Browser() as browser:
        page = open_comfy(browser, server.url)
        load_template(page, "inpaint-bridge", "outpaint")
        page.wait_for(f"() => document.querySelector('{PREVIEW}')?.dataset.state === 'ready'", timeout=30)
        times = [page.evaluate(CHANGE_JS, (31 + i) / 100) for i in range(repeats + 1)][1:]
    row("browser: widget change → preview drawn (edge, 384×256 template)", f"{statistics.median(times):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as base, ComfyServer(pathlib.Path(base)) as server:
        server_side(server, args.repeats)
        browser_side(server, args.repeats)


if __name__ == "__main__":
    main()
