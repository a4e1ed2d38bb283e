"""Regenerates docs/iopaint_ui.jpg, the README's picture of IOPaint's own web UI erasing through the bridge.

Run: .venv/bin/python bench/iopaint_ui_figure.py

A real ComfyUI and the bridge (its default erase model: LaMa when installed, else exemplar), IOPaint's web UI
at the bridge's / in headless Chromium: the coffee photo opened, the spoon painted with a wider brush (left: the
stroke while the button is held), released, erased (right: what the UI then shows).
"""

import os
import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]
os.environ.setdefault("OMP_NUM_THREADS", "1")

from PIL import Image  # noqa: E402
from skimage import data  # noqa: E402

from support.bridge import ThreadedBridge  # noqa: E402
from support.browser import Browser  # noqa: E402
from support.comfy_server import ComfyServer  # noqa: E402
from support.iopaint_page import open_iopaint, upload, wait_call  # noqa: E402

OUT = ROOT / "docs" / "iopaint_ui.jpg"
SPOON = [(352, 335), (388, 322), (388, 288), (348, 282), (352, 252), (386, 248), (394, 200), (404, 150), (414, 64)]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, ComfyServer(pathlib.Path(tmp) / "comfy") as comfy:
        photo = pathlib.Path(tmp) / "coffee.png"
        Image.fromarray(data.coffee()).save(photo)
        bridge = ThreadedBridge(pathlib.Path(tmp) / "bridge", [comfy.url], workers=1).start(timeout=120)
        try:
            with Browser(viewport=(1000, 640)) as browser:
                page = browser.open()
                open_iopaint(page, bridge.url)
                x0, y0 = upload(page, photo)
                for _ in range(2):
                    page.press("]")  # a wider brush
                page.mouse(
                    [{"move": [x0 + SPOON[0][0], y0 + SPOON[0][1]]}, {"down": "left"}]
                    + [{"move": [x0 + x, y0 + y], "steps": 6} for x, y in SPOON[1:]]
                )
                painting = page.screenshot("docs_iopaint_painting")
                page.mouse([{"up": "left"}])
                wait_call(page, "inpaint")
                page.mouse([{"move": [5, 5]}])  # the brush cursor off the picture
                time.sleep(0.5)
                erased = page.screenshot("docs_iopaint_erased")
        finally:
            bridge.stop()
    # The whole UI, each state at 60 %: IOPaint's own toolbar and canvas, served by the bridge.
    left, right = (Image.open(p).convert("RGB") for p in (painting, erased))
    size = (round(left.width * 0.6), round(left.height * 0.6))
    left, right = left.resize(size, Image.LANCZOS), right.resize(size, Image.LANCZOS)
    figure = Image.new("RGB", (size[0] * 2 + 8, size[1]), (40, 40, 44))
    figure.paste(left, (0, 0))
    figure.paste(right, (size[0] + 8, 0))
    figure.save(OUT, quality=86)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
