"""Capture a running ComfyUI's /object_info, trimmed to the nodes the bridge's recipes use.

    python scripts/capture_object_info.py http://127.0.0.1:8188 tests/fixtures/object_info.json
    python scripts/capture_object_info.py --spawn [OUT]

The golden-graph tests check recipes against this file; re-run it when a node's inputs change.
``--spawn`` starts a ComfyUI of its own (a temp base folder, the set-up's models) with the test
models the golden graphs name placed in it (``tests/support/test_checkpoints.place_test_models``:
the reduced checkpoints, a LoRA and a VAE), so the file lists are the same on every machine.
"""

import contextlib
import json
import pathlib
import sys
import tempfile
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api_bridge.graph import node_ids  # noqa: E402

DEFAULT_OUT = ROOT / "tests/fixtures/object_info.json"


@contextlib.contextmanager
def spawned_comfyui():
    """A ComfyUI with the test models, for the capture only."""
    sys.path.insert(0, str(ROOT / "tests"))
    from support.comfy_server import ComfyServer
    from support.test_checkpoints import place_test_models

    with tempfile.TemporaryDirectory(prefix="ib-capture-") as tmp:
        server = ComfyServer(pathlib.Path(tmp))
        place_test_models(server.models_dir)
        with server:
            yield server.url


def capture(url: str, out: pathlib.Path) -> None:
    with urllib.request.urlopen(url.rstrip("/") + "/object_info", timeout=30) as r:
        info = json.load(r)
    trimmed = {k: info[k] for k in node_ids.ALL if k in info}
    missing = sorted(set(node_ids.ALL) - set(trimmed))
    out.write_text(json.dumps(trimmed, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(trimmed)} nodes to {out}; not on this server: {', '.join(missing) or 'none'}")


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] == "--spawn":
        out = pathlib.Path(args[1]) if len(args) > 1 else DEFAULT_OUT
        with spawned_comfyui() as url:
            capture(url, out)
        return
    url = args[0] if args else "http://127.0.0.1:8188"
    capture(url, pathlib.Path(args[1]) if len(args) > 1 else DEFAULT_OUT)


if __name__ == "__main__":
    main()
