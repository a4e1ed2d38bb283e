"""The one place this pack touches ComfyUI's HTTP server: routes it adds live under ``/inpaint-bridge/``.

Capability modules register their routes with :func:`route_table` at import. Outside a running
ComfyUI server (the nodes test tier imports the pack in-process) there is no table and no route.
"""

ROUTE_PREFIX = "/inpaint-bridge"


def route_table():
    """ComfyUI's aiohttp ``RouteTableDef`` when a PromptServer runs in this process, else None."""
    try:
        from server import PromptServer
    except ImportError:
        return None
    instance = getattr(PromptServer, "instance", None)
    return instance.routes if instance is not None else None
