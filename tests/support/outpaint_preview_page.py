"""Driving the outpaint preview of Outpaint Expand (web/outpaint_preview.js) in the test browser."""

import base64
import io

import numpy as np
from PIL import Image

PREVIEW = ".ib-outpaint-preview"
EXPAND_NODE = "IB_OutpaintExpand"

_SET_JS = """(values) => {
  const node = window.app.graph.nodes.find((n) => n.type === 'IB_OutpaintExpand');
  for (const [name, value] of Object.entries(values)) {
    const w = node.widgets.find((w) => w.name === name);
    w.value = value;
    w.callback?.(value, window.app.canvas, node);  // what the widget does when a user changes it
  }
  node.setDirtyCanvas(true, true);
}"""

# The preview drawn for exactly these widget values (a newer answer replaces an older one).
_DRAWN_JS = f"""(values) => {{
  const el = document.querySelector('{PREVIEW}');
  const drawn = el?.ibDrawn;
  if (!drawn?.request || !['ready', 'error'].includes(el.dataset.state)) return false;
  return Object.entries(values).every(([k, v]) => drawn.request.settings[k] === v) && drawn;
}}"""


def set_widgets(page, values: dict, timeout: float = 30.0) -> dict:
    """Change the expand node's widgets as a user would; what the preview then draws (``ibDrawn``)."""
    page.evaluate(_SET_JS, values)
    return page.wait_for(_DRAWN_JS, values, timeout=timeout)


def drawn_pixels(page) -> np.ndarray:
    """The preview canvas as drawn, HxWx4 uint8 (device pixels = CSS pixels in the test browser)."""
    url = page.evaluate(f"() => document.querySelector('{PREVIEW} canvas').toDataURL('image/png')")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGBA"))


def expand_run_graph(api_prompt: dict) -> tuple[dict, str]:
    """The UI's own API prompt cut to the expand node and what feeds it, plus a preview of its canvas.

    Returns the graph and the expand node's id: its run reports ``ib_outpaint`` for the widget values
    the UI holds, without sampling anything.
    """
    (expand_id,) = [i for i, n in api_prompt.items() if n["class_type"] == EXPAND_NODE]
    graph, todo = {}, [expand_id]
    while todo:
        node_id = todo.pop()
        graph[node_id] = api_prompt[node_id]
        todo += [v[0] for v in api_prompt[node_id]["inputs"].values() if isinstance(v, list) and v[0] not in graph]
    graph["ib_preview"] = {"class_type": "PreviewImage", "inputs": {"images": [expand_id, 0]}}
    return graph, expand_id
