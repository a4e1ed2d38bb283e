"""Pure torch/numpy helpers: no ComfyUI import anywhere in this package."""
