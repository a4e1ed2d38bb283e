"""``python -m api_bridge``: the bridge with its embedded ComfyUI (or remote ones)."""

import argparse
import logging

import uvicorn

from .server.app import create_app
from .settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description="inpaint-bridge REST server")
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--comfy-url", action="append", dest="comfy_urls", help="remote ComfyUI (repeatable)")
    parser.add_argument("--comfy-port", type=int, help="embedded ComfyUI port (default 8188)")
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    overrides = {k: v for k, v in vars(args).items() if v is not None}
    if overrides.get("comfy_urls"):
        overrides["comfy_mode"] = "remote"
    settings = Settings(**overrides)
    logging.basicConfig(level=logging.INFO, format='{"t":"%(asctime)s","level":"%(levelname)s","msg":"%(message)s"}')
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


if __name__ == "__main__":
    main()
