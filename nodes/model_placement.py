"""The one placement policy for every torch model the pack holds (erase models, SAM checkpoints, GroundingDINO;
the diffusion helpers reuse it): ComfyUI's own memory manager, as for its CLIP-vision and VAE models.

- A model is loaded once, on the offload device (the CPU unless ComfyUI runs with ``--highvram`` or
  ``--gpu-only``), into the pack's CPU cache (``common.model_cache.MODELS``), wrapped in a ``ModelPatcher``.
- ``on_compute_device`` hands it to ``comfy.model_management.load_models_gpu`` before each run: ComfyUI frees
  room (unloading its own or our other models), moves the weights in and lists the model among its loaded models.
- It stays there between runs, like ComfyUI's own models, until ComfyUI needs the room (``free_memory`` before a
  sampler loads) or is told to let go (``/free`` with ``unload_models``, ``unload_all_models``): then ComfyUI moves
  it back to the offload device. Nothing of ours holds VRAM that ComfyUI does not know about.

ONNX sessions (SAM pairs, rembg) run on the CPU through onnxruntime and hold no torch weights: they are cached
in the same CPU cache but never registered (a SAM pair is a ``Held`` without a patcher, beside the checkpoints).
"""

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import comfy.model_management
import comfy.model_patcher
import torch

from .common.torch_modules import memory_bytes


class TorchModel(Protocol):
    network: torch.nn.Module  # the weights to place; the model computes where they are


M = TypeVar("M")


class _Weights(torch.nn.Module):
    """What ComfyUI's patcher moves and annotates (it sets attributes such as ``device``, which some networks
    expose as read-only properties): a container, so the network itself is left as it is."""

    def __init__(self, network: torch.nn.Module):
        super().__init__()
        self.network = network


@dataclass(frozen=True, eq=False)
class Held(Generic[M]):
    """A model in the pack's cache; ``patcher`` registers its weights with ComfyUI (None: nothing to place)."""

    model: M
    patcher: comfy.model_patcher.ModelPatcher | None = None

    def memory_bytes(self) -> int:
        return self.patcher.model_size() if self.patcher is not None else 0


def hold(model: TorchModel) -> Held:
    """``model`` with its weights moved to the offload device and a patcher ComfyUI can load and unload."""
    offload = comfy.model_management.unet_offload_device()
    weights = _Weights(model.network).to(offload)
    patcher = comfy.model_patcher.ModelPatcher(
        weights,
        load_device=comfy.model_management.get_torch_device(),
        offload_device=offload,
        size=memory_bytes(weights),
    )
    return Held(model, patcher)


def on_compute_device(held: Held[M], memory_required: int | None = None) -> M:
    """The model, its weights on the compute device for this run.

    ``memory_required``: room to keep free beside the weights for activations (default: the weights' size
    again; ComfyUI keeps at least its own minimum). Loaded whole (``force_full_load``): the pack's networks are
    plain torch modules, which cannot run split between devices; with ``--novram`` ComfyUI loads none of it and
    the model computes on the offload device.
    """
    if held.patcher is not None:
        size = held.patcher.model_size()
        comfy.model_management.load_models_gpu(
            [held.patcher], memory_required=size if memory_required is None else memory_required, force_full_load=True
        )
    return held.model
