"""Regenerates docs/sam_editor.jpg, the README's picture of the point/box editor.

Run: .venv/bin/python bench/sam_editor_figure.py

The mask_from_points example opened from ComfyUI's template browser in headless Chromium,
the editor opened from the node's button, a box dragged around the spoon and a click on it;
the editor's panel is cut out of the screenshot.
"""

import pathlib
import tempfile
import time

from _common import ROOT
from PIL import Image

from support.browser import Browser
from support.comfy_frontend import load_template, open_comfy
from support.comfy_server import ComfyServer
from support.sam_editor_page import next_preview, open_editor, to_page

OUT = ROOT / "docs" / "sam_editor.jpg"
SPOON_BOX = ((318, 62), (428, 330))
SPOON = (360, 290)


def main() -> None:
    with (
        tempfile.TemporaryDirectory() as base,
        ComfyServer(pathlib.Path(base)) as server,
        Browser(viewport=(1100, 760)) as browser,
    ):
        page = open_comfy(browser, server.url)
        load_template(page, "inpaint-bridge", "mask_from_points")
        open_editor(page)
        page.press("Delete")
        next_preview(page, lambda: page.drag(to_page(page, SPOON_BOX[0]), to_page(page, SPOON_BOX[1])))
        next_preview(page, lambda: page.click_at(*to_page(page, SPOON)))
        time.sleep(0.3)  # the status line settles
        box = page.evaluate(
            """() => { const r = document.querySelector('.ib-sam-panel').getBoundingClientRect();
                       return [r.left, r.top, r.right, r.bottom]; }"""
        )
        shot = page.screenshot("docs_sam_editor")
    Image.open(shot).crop(tuple(round(v) for v in box)).convert("RGB").save(OUT, quality=88)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
