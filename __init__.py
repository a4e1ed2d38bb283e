"""inpaint-bridge: a ComfyUI node pack (V3 API) plus a REST bridge (``api_bridge/``).

ComfyUI imports this file from ``custom_nodes/``. Model folders are registered
before any node module imports, so loaders see them when their schemas are built;
the example workflows' input pictures are copied into ComfyUI's input folder.
"""

WEB_DIRECTORY = "./web"

try:
    import comfy_api  # noqa: F401  (present only inside ComfyUI)
except ImportError:  # imported outside ComfyUI (tests of pure parts, the bridge)
    comfy_entrypoint = None
else:
    from .nodes import model_folders

    model_folders.register()

    from .nodes import example_inputs

    example_inputs.install()

    from .nodes._comfy import ComfyExtension
    from .nodes.registry import all_nodes

    class InpaintBridgeExtension(ComfyExtension):
        async def get_node_list(self) -> list[type]:
            return all_nodes()

    async def comfy_entrypoint() -> ComfyExtension:
        return InpaintBridgeExtension()
