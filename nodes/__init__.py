"""Node modules of the pack. Each module exposes ``NODES``: the node classes it defines.

This package import is free of ComfyUI so that ``nodes.common`` (pure helpers) can
be used and tested without it; ``nodes.registry`` collects the node classes.
"""
