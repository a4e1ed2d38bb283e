"""One or more ComfyUI servers; each task goes to the least-loaded healthy one."""

from ..errors import BridgeError
from .comfy_client import ComfyClient


class ComfyPool:
    def __init__(self, clients: list[ComfyClient]):
        if not clients:
            raise ValueError("a pool needs at least one ComfyUI")
        self.clients = clients

    async def pick(self) -> ComfyClient:
        healthy = [c for c in self.clients if await c.healthy()]
        if not healthy:
            urls = ", ".join(c.base_url for c in self.clients)
            raise BridgeError("unavailable", f"no ComfyUI is answering ({urls})")
        return min(healthy, key=lambda c: c.running)

    async def healthy(self) -> bool:
        return any([await c.healthy() for c in self.clients])

    async def close(self) -> None:
        for c in self.clients:
            await c.close()
