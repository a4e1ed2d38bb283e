"""Running graphs on ComfyUI over HTTP + websocket: one or more servers, a local one managed by the bridge."""

from .comfy import ComfyExecutor, ComfyServer, RunResult
from .local import LocalComfyProcess

__all__ = ["ComfyExecutor", "ComfyServer", "LocalComfyProcess", "RunResult"]
