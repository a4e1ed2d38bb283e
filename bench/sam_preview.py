"""The point editor's live preview at 1024²: first click (encoder + decoder) vs a later click (decoder only).

Run: .venv/bin/python bench/sam_preview.py [--repeats 7]

A real ComfyUI (``main.py --cpu``, the pack loaded, OMP_NUM_THREADS as the tests use it) serves
POST /inpaint-bridge/sam/preview; the picture is skimage's astronaut scaled to 1024². Measured:

- at the route (HTTP round trip from this process): a first prompt on a picture never seen
  (each repeat shifts the photo, so its content hash and embedding are new) vs a second prompt on
  the same picture; the ratio is the speed-up the cached embedding gives;
- in the browser (headless Chromium, ComfyUI's frontend, the editor opened from the node's button):
  the time from the mouse release to the frame that draws its mask, for clicks after the editor
  encoded the picture at open (what a user waits for), and the open-to-ready time (the encoder).
"""

import argparse
import json
import pathlib
import statistics
import tempfile
import time
import urllib.request

import numpy as np
from _common import row
from PIL import Image
from skimage import data

from support.browser import Browser  # noqa: E402
from support.comfy_frontend import build_graph, open_comfy  # noqa: E402
from support.comfy_server import ComfyServer  # noqa: E402
from support.sam_editor_page import EDITOR, next_preview, open_editor, to_page  # noqa: E402

SIZE = 1024
CLICKS = [(620, 250), (450, 460), (840, 200), (300, 700), (700, 800), (520, 600), (880, 120)]


def photo(shift: int) -> Image.Image:
    picture = Image.fromarray(data.astronaut()).resize((SIZE, SIZE), Image.LANCZOS)
    return Image.fromarray(np.roll(np.asarray(picture), shift, axis=1))


def post(url: str, body: dict) -> tuple[float, dict]:
    request = urllib.request.Request(
        url + "/inpaint-bridge/sam/preview", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        answer = json.loads(response.read())
    return (time.perf_counter() - started) * 1000, answer


def route(server, repeats: int) -> tuple[list[float], list[float]]:
    client = server.client()
    first, second = [], []
    for i in range(repeats + 1):  # the first round also loads the model: not counted
        name = client.upload_image(photo(shift=7 * i + 1), f"ib_bench_preview_{i}.png")
        image = {"filename": name, "subfolder": "", "type": "input"}
        t1, a1 = post(server.url, {"image": image, "points": [{"x": 620, "y": 250, "label": 1}]})
        t2, a2 = post(server.url, {"image": image, "points": [{"x": 450, "y": 460, "label": 1}]})
        assert not a1["embedding_cached"] and a2["embedding_cached"]
        if i:
            first.append(t1)
            second.append(t2)
    return first, second


def browser(server) -> tuple[float, list[float]]:
    server.client().upload_image(photo(shift=0), "ib_bench_editor.png")
    with Browser() as b:
        page = open_comfy(b, server.url)
        build_graph(
            page,
            [
                {"key": "load", "type": "LoadImage", "pos": [40, 40], "widgets": {"image": "ib_bench_editor.png"}},
                {"key": "sam", "type": "IB_SAMLoader", "pos": [40, 420]},
                {
                    "key": "seg",
                    "type": "IB_SAMSegment",
                    "pos": [420, 40],
                    "links": {"sam_model": ["sam", 0], "image": ["load", 0]},
                },
            ],
        )
        started = time.perf_counter()
        open_editor(page)  # returns once the picture is encoded
        ready = (time.perf_counter() - started) * 1000
        latencies = []
        for xy in CLICKS:
            preview = next_preview(page, lambda xy=xy: page.click_at(*to_page(page, xy)))
            latencies.append(preview["latency_ms"])
        page.screenshot("bench_sam_preview_1024")
        assert page.evaluate(f"() => document.querySelector('{EDITOR}').ibPicture.naturalWidth") == SIZE
    return ready, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as base, ComfyServer(pathlib.Path(base)) as server:
        first, second = route(server, args.repeats)
        ready, clicks = browser(server)
    med = statistics.median
    row("measure", "median ms", "all (ms)")
    row("route: first prompt, new picture (encoder + decoder)", f"{med(first):.0f}", [round(t) for t in first])
    row("route: second prompt, same picture (decoder only)", f"{med(second):.0f}", [round(t) for t in second])
    row("ratio second / first", f"{med(second) / med(first):.3f}", "")
    row("browser: editor open -> picture encoded", f"{ready:.0f}", "")
    row("browser: click -> mask drawn (decoder only)", f"{med(clicks):.0f}", [round(t) for t in clicks])


if __name__ == "__main__":
    main()
