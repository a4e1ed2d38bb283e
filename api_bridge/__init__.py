"""The REST bridge: third-party inpainting contracts served by ComfyUI graphs.

Must not import torch or ComfyUI, so it deploys on its own next to remote ComfyUI servers.
"""
