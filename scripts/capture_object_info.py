"""Capture a running ComfyUI's /object_info, trimmed to the nodes the bridge's recipes and the example workflows use.

    python scripts/capture_object_info.py http://127.0.0.1:8188 tests/fixtures/object_info.json

The golden-graph tests check recipes against this file, and the workflow tests convert the examples with it;
re-run it when a node's inputs change or an example uses a new node type.
"""

import json
import pathlib
import sys
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api_bridge.graph import node_ids  # noqa: E402
from api_bridge.workflows.convert import VIRTUAL_TYPES  # noqa: E402


def example_node_types() -> set[str]:
    """Node types the example workflows name (frontend-only ones such as Note are not in /object_info)."""
    types = set()
    for path in (ROOT / "example_workflows").glob("*.json"):
        types |= {node["type"] for node in json.loads(path.read_text())["nodes"]}
    return types - VIRTUAL_TYPES


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8188"
    out = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else ROOT / "tests/fixtures/object_info.json")
    with urllib.request.urlopen(url.rstrip("/") + "/object_info", timeout=30) as r:
        info = json.load(r)
    wanted = set(node_ids.ALL) | example_node_types()
    trimmed = {k: info[k] for k in sorted(wanted) if k in info}
    missing = sorted(wanted - set(trimmed))
    out.write_text(json.dumps(trimmed, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(trimmed)} nodes to {out}; not on this server: {', '.join(missing) or 'none'}")


if __name__ == "__main__":
    main()
