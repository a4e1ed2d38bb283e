"""Driving the point/box editor of Segment (SAM) (web/sam_editor.js) in the test browser, as a user does."""

import base64
import io
import json

import numpy as np
from PIL import Image

BUTTON = "Edit points / boxes"
EDITOR = ".ib-sam-editor"


def _sam_node_js(body: str) -> str:
    return f"""(arg) => {{
      const node = window.app.graph.nodes.find((n) => n.type === 'IB_SAMSegment');
      const value = (name) => node.widgets.find((w) => w.name === name).value;
      {body}
    }}"""


def open_editor(page) -> None:
    """Click the node's button on the canvas, as a user does, and wait until the picture is encoded."""
    x, y = page.evaluate(
        _sam_node_js(f"""
      const w = node.widgets.find((w) => w.name === {json.dumps(BUTTON)});
      const [cx, cy] = window.app.canvas.ds.convertOffsetToCanvas(
        [node.pos[0] + node.size[0] / 2, node.pos[1] + w.last_y + 10]);
      const rect = window.app.canvas.canvas.getBoundingClientRect();
      return [rect.left + cx, rect.top + cy];""")
    )
    page.click_at(x, y)
    page.wait_for(f"() => document.querySelector('{EDITOR}')?.dataset.ready === '1'", timeout=30)


def to_page(page, xy: tuple[float, float]) -> tuple[float, float]:
    """Page coordinates of an image pixel in the open editor."""
    return tuple(
        page.evaluate(
            """([x, y]) => {
              const canvas = document.querySelector('.ib-sam-editor canvas');
              const rect = canvas.getBoundingClientRect();
              const scale = canvas.width / document.querySelector('.ib-sam-editor').ibPicture.naturalWidth;
              return [rect.left + (x + 0.5) * scale, rect.top + (y + 0.5) * scale];
            }""",
            list(xy),
        )
    )


def next_preview(page, action) -> dict:
    """Do ``action`` and return the preview it caused (its mask decoded to a bool array)."""
    before = page.evaluate(f"() => Number(document.querySelector('{EDITOR}').dataset.requestSeq || 0)")
    action()
    # The answer to the newest request: an earlier one still in flight must not be taken for it.
    preview = page.wait_for(
        f"""(n) => {{
          const root = document.querySelector('{EDITOR}');
          const last = root.ibLastPreview;
          const newest = Number(root.dataset.requestSeq);
          return newest > n && last && last.seq === newest && last;
        }}""",
        before,
        timeout=30,
    )
    png = base64.b64decode(preview["mask"].split(",", 1)[1])
    preview["array"] = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))[..., 3] > 0
    return preview


def widgets(page) -> dict:
    return page.evaluate(_sam_node_js("return {points: value('points'), boxes: value('boxes')};"))
