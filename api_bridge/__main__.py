"""``python -m api_bridge``: start the bridge (and, without IB_COMFY_URLS, its embedded ComfyUI)."""

from __future__ import annotations

import argparse

import uvicorn

from .server.app import create_app
from .server.logs import setup_logging
from .server.settings import BridgeSettings


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m api_bridge", description=__doc__)
    p.add_argument("--host", help="bridge address (IB_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="bridge port (IB_PORT, default 8000)")
    p.add_argument("--comfy-url", action="append", dest="comfy_urls", help="remote ComfyUI (repeat); none: embedded")
    p.add_argument("--comfy-path", help="ComfyUI folder for embedded mode (IB_COMFY_PATH / COMFYUI_PATH)")
    p.add_argument("--comfy-port", type=int, help="embedded ComfyUI port (IB_COMFY_PORT, default 8188)")
    p.add_argument("--data-dir", help="task database and stored images (IB_DATA_DIR, default .bridge-data)")
    p.add_argument("--workers", type=int, help="tasks in flight at once (IB_WORKERS)")
    p.add_argument("--queue-cap", type=int, help="queued tasks before 429 (IB_QUEUE_CAP)")
    p.add_argument("--redis-url", help="shared Redis for several replicas (IB_REDIS_URL); none: SQLite")
    p.add_argument("--replica-id", help="this replica's unique, stable name (IB_REPLICA_ID, default host:port)")
    p.add_argument("--allow-private-urls", action="store_true", default=None, help="fetch image URLs on private nets")
    p.add_argument("--comfy-listen", help="embedded ComfyUI address (IB_COMFY_LISTEN, default 127.0.0.1)")
    p.add_argument("--log-json", action="store_true", default=None, help="one JSON object per log line")
    p.add_argument("comfy_args", nargs="*", help="after --: extra arguments for the embedded ComfyUI's main.py")
    args = p.parse_args(argv)
    overrides = {k: v for k, v in vars(args).items() if v is not None and v != []}
    settings = BridgeSettings(**overrides)
    setup_logging(settings.log_level, settings.log_json)
    app = create_app(settings)
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
