"""Regenerates docs/outpaint_preview.jpg, the README's picture of the outpaint preview.

Run: .venv/bin/python bench/outpaint_preview_figure.py

The outpaint example opened from ComfyUI's template browser in headless Chromium, the canvas
zoomed onto Outpaint Expand, 20% added on top as well as the template's 30% left and right,
pre-filled by Telea; the node is cut out of the screenshot.
"""

import pathlib
import tempfile

from _common import ROOT
from PIL import Image

from support.browser import Browser
from support.comfy_frontend import load_template, open_comfy
from support.comfy_server import ComfyServer
from support.outpaint_preview_page import set_widgets

OUT = ROOT / "docs" / "outpaint_preview.jpg"
ZOOM = 1.1

_FOCUS_JS = """(zoom) => {
  const node = window.app.graph.nodes.find((n) => n.type === 'IB_OutpaintExpand');
  const ds = window.app.canvas.ds;
  ds.scale = zoom;
  // The node's title 160 px down the page: below the frontend's tab bar and banner.
  ds.offset = [100 / zoom - node.pos[0], 160 / zoom - node.pos[1] + LiteGraph.NODE_TITLE_HEIGHT];
  window.app.canvas.setDirty(true, true);
}"""

_BOUNDS_JS = """() => {
  const node = window.app.graph.nodes.find((n) => n.type === 'IB_OutpaintExpand');
  const title = LiteGraph.NODE_TITLE_HEIGHT;
  const [x0, y0] = window.app.canvas.ds.convertOffsetToCanvas([node.pos[0], node.pos[1] - title]);
  const [x1, y1] = window.app.canvas.ds.convertOffsetToCanvas([node.pos[0] + node.size[0], node.pos[1] + node.size[1]]);
  const rect = window.app.canvas.canvas.getBoundingClientRect();
  return [rect.left + x0 - 8, rect.top + y0 - 8, rect.left + x1 + 8, rect.top + y1 + 8];
}"""


def main() -> None:
    with (
        tempfile.TemporaryDirectory() as base,
        ComfyServer(pathlib.Path(base)) as server,
        Browser(viewport=(900, 1100)) as browser,
    ):
        page = open_comfy(browser, server.url)
        load_template(page, "inpaint-bridge", "outpaint")
        page.evaluate(_FOCUS_JS, ZOOM)
        set_widgets(page, {"top_fraction": 0.2, "prefill": "telea"})
        page.wait_for("() => new Promise((ok) => requestAnimationFrame(() => ok(true)))")  # the DOM widget moved
        box = page.evaluate(_BOUNDS_JS)
        shot = page.screenshot("docs_outpaint_preview")
    Image.open(shot).crop(tuple(round(v) for v in box)).convert("RGB").save(OUT, quality=88)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
