"""ComfyUI's own frontend in the test browser: open it ready to use, load workflows, queue, read results.

Facts of frontend 1.32.9 on ComfyUI 0.3.75 this relies on: a fresh user folder opens a
full-screen Templates dialog unless ``Comfy.TutorialCompleted`` is set; ``app.queuePrompt``
returns false even on success, so a run is found in ``/history``, not by its return value.
"""

import json
import time
import urllib.request

READY_JS = "() => !!(window.app && window.app.graph && window.app.canvas && window.app.vueAppReady)"


def _get(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def _post(url: str, body: dict) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    urllib.request.urlopen(request, timeout=30).read()


def open_comfy(browser, server_url: str, timeout: float = 60.0):
    """A page with ComfyUI's canvas ready and no dialog over it."""
    _post(f"{server_url}/settings", {"Comfy.TutorialCompleted": True})
    page = browser.open(f"{server_url}/")
    page.wait_for(READY_JS, timeout=timeout)
    return page


def load_template(page, module: str, name: str) -> list[str]:
    """Open the Templates dialog, pick ``module``'s template ``name`` as a user would; the node types loaded."""
    page.evaluate("async () => { await window.app.extensionManager.command.execute('Comfy.BrowseTemplates'); }")
    page.click(f"[role=dialog] span:text-is('{module}')")
    page.click(f"[role=dialog] h3:text-is('{name}')")
    return page.wait_for(
        "() => !document.querySelector('[role=dialog]') && window.app.graph.nodes.length"
        " && window.app.graph.nodes.map((n) => n.type)",
        timeout=20,
    )


_BUILD_JS = """(spec) => {
  const graph = window.app.graph;
  graph.clear();
  const made = {};
  if (spec.note) {
    const note = LiteGraph.createNode('Note');
    note.pos = [40, -120]; note.size = [760, 110];
    note.widgets[0].value = spec.note;
    graph.add(note);
  }
  for (const n of spec.nodes) {
    const node = LiteGraph.createNode(n.type);
    if (!node) throw new Error('unknown node type ' + n.type);
    node.pos = n.pos;
    if (n.size) node.size = n.size;
    if (n.title) node.title = n.title;
    graph.add(node);
    for (const [name, value] of Object.entries(n.widgets || {})) {
      const widget = node.widgets.find((w) => w.name === name);
      if (!widget) throw new Error(n.type + ' has no widget ' + name);
      widget.value = value;
    }
    made[n.key] = node;
  }
  for (const n of spec.nodes) {
    for (const [input, [source, slot]] of Object.entries(n.links || {})) {
      if (!made[source].connect(slot, made[n.key], input)) throw new Error('cannot link ' + source + ' -> ' + n.key);
    }
  }
  graph.setDirtyCanvas(true, true);
  return graph.serialize();
}"""


def build_graph(page, nodes: list[dict], note: str | None = None) -> dict:
    """Replace the canvas's graph with ``nodes`` made by the frontend itself; its ``graph.serialize()``.

    Each node: ``{"key", "type", "pos", "size"?, "title"?, "widgets": {name: value}, "links": {input:
    [source key, output slot]}}``; a ``note`` becomes a Note node above them.
    """
    return page.evaluate(_BUILD_JS, {"nodes": nodes, "note": note})


def history_ids(server_url: str) -> set[str]:
    return set(_get(f"{server_url}/history"))


def _queued_ids(server_url: str) -> set[str]:
    queue = _get(f"{server_url}/queue")
    return {item[1] for item in queue["queue_running"] + queue["queue_pending"]}


def queue_current_graph(page, server_url: str, timeout: float = 180.0, appear_within: float = 30.0) -> dict:
    """Queue the graph on the canvas with the frontend's own Queue action; its outputs from /history.

    Raises AssertionError with ComfyUI's message when validation or execution fails.
    """
    before = history_ids(server_url) | _queued_ids(server_url)
    page.evaluate("async () => { await window.app.queuePrompt(0); }")
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        new = history_ids(server_url) - before
        if new:
            (prompt_id,) = new
            status = _get(f"{server_url}/history/{prompt_id}")[prompt_id].get("status", {})
            if status.get("status_str") == "error":
                raise AssertionError(f"the run failed: {json.dumps(status.get('messages'))[:2000]}")
            if status.get("completed"):
                return _get(f"{server_url}/history/{prompt_id}")[prompt_id]["outputs"]
        elif not (_queued_ids(server_url) - before) and time.monotonic() - started > appear_within:
            errors = page.evaluate("() => window.app.lastNodeErrors || null")
            shot = page.screenshot("queue_failure")
            raise AssertionError(
                f"nothing was queued; node errors: {json.dumps(errors)[:2000]}; page errors {page.errors()[-5:]}; "
                f"screenshot {shot}"
            )
        time.sleep(0.1)
    raise AssertionError(f"no finished run in /history within {timeout}s")
