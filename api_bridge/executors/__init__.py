"""Running graphs on ComfyUI over HTTP + websocket (embedded local process or remote servers)."""
