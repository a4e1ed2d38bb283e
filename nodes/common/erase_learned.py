"""Learned erase models (LaMa, MAT, MI-GAN) loaded from files: state dicts or TorchScript.

- ``.safetensors`` / ``.pth`` / ``.ckpt`` / ``.pt`` state dicts: MI-GAN's official
  layout is recognised by its keys and built by our own module (``migan_arch``);
  everything else goes to ``spandrel`` (a maintained model-architecture library) and
  its extra architectures (LaMa, MAT); only inpainting models are accepted; MAT is
  padded by spandrel to its size rule (square, multiples of 512);
- TorchScript ``.pt``: a forward of two inputs is LaMa-style (IOPaint's ``big-lama.pt``,
  ``model(image, mask)``); a forward of one input is MI-GAN-style (IOPaint's
  ``migan_traced.pt``, ``model(cat(0.5 - mask, image * (1 - mask)))`` in -1..1).

LaMa and MAT take an RGB image in 0..1 and a 0/1 mask and return RGB in 0..1; sizes
are padded (reflect) to the model's multiple and cropped back. MI-GAN is fixed-size
(256 or 512 square): the crop is scaled down to fit, padded to the square, and the
fill is scaled back up (as IOPaint does for MI-GAN); pixels outside the hole are the
caller's.
"""

import logging
import os
import re

import cv2
import numpy as np
import torch
from torch.nn.functional import pad

from .migan_arch import load_migan, migan_resolution
from .torch_modules import weights_device
from .weight_headers import is_torchscript

log = logging.getLogger(__name__)

MIGAN_DEFAULT_SIZE = 512  # IOPaint's migan_traced.pt and the Places2 512 release


def forward_input_count(module: torch.jit.ScriptModule) -> int:
    """How many tensors the scripted ``forward`` takes (``self`` not counted)."""
    return len(module.forward.schema.arguments) - 1


def migan_size_hint(path: str) -> int:
    """A TorchScript MI-GAN whose buffers are frozen away: 256 if its file name says so, else 512."""
    return 256 if re.search(r"(?<!\d)256(?!\d)", os.path.basename(path)) else MIGAN_DEFAULT_SIZE


class LearnedEraser:
    """A learned erase model, loaded on the CPU; it computes wherever its ``network`` is placed."""

    def __init__(self, path: str):
        self.path = path
        self.descriptor, self.module = None, None
        self.size = 0  # fixed square input size (MI-GAN); 0: any size, padded to ``multiple``
        try:
            if is_torchscript(path):
                self._load_torchscript(path)
            else:
                self._load_state_dict(path)
        except Exception as exc:
            raise ValueError(f"could not load erase model {path}: {exc}") from exc

    def _load_torchscript(self, path: str) -> None:
        self.module = torch.jit.load(path, map_location="cpu").eval()
        inputs = forward_input_count(self.module)
        if inputs == 2:
            self.kind, self.multiple = "torchscript", 8
        elif inputs == 1:
            self.kind, self.multiple = "MI-GAN", 1
            self.size = migan_resolution(self.module.state_dict()) or migan_size_hint(path)
        else:
            raise ValueError(
                f"its forward takes {inputs} inputs: expected (image, mask) like big-lama.pt "
                "or one 4-channel tensor like migan_traced.pt"
            )

    def _load_state_dict(self, path: str) -> None:
        import spandrel
        import spandrel_extra_arches

        # MAT lives in spandrel_extra_arches: the package is MIT, but MAT's own code carries a
        # restrictive (non-commercial) licence — see the README before commercial use.
        spandrel_extra_arches.install(ignore_duplicates=True)
        loader = spandrel.ModelLoader("cpu")
        state_dict = loader.load_state_dict_from_file(path)
        if migan_resolution(state_dict) is not None:  # spandrel has no MI-GAN: our own module
            self.module = load_migan(state_dict)
            self.kind, self.multiple, self.size = "MI-GAN", 1, self.module.resolution
            return
        descriptor = loader.load_from_state_dict(state_dict)
        if descriptor.purpose != "Inpainting":
            raise ValueError(f"it is a {descriptor.purpose} model ({descriptor.architecture.name}), not an eraser")
        descriptor.model.eval()
        self.descriptor = descriptor
        self.kind = descriptor.architecture.name
        self.multiple = descriptor.size_requirements.multiple_of or 1

    @property
    def network(self) -> torch.nn.Module:
        """The one network it holds (spandrel's model or the module): what the placement policy moves."""
        return self.descriptor.model if self.descriptor is not None else self.module

    @property
    def device(self) -> torch.device:
        return weights_device(self.network)

    @property
    def engine_name(self) -> str:
        """What ran, as the node reports it (``ib_engine``): lama, mat or migan."""
        # A two-input TorchScript is LaMa-style (IOPaint's big-lama.pt).
        return {"torchscript": "lama", "LaMa": "lama", "MAT": "mat", "MI-GAN": "migan"}.get(self.kind, self.kind)

    @property
    def stochastic(self) -> bool:
        """MAT draws a latent code and keeps dropout at inference: seeds give different fills."""
        return self.kind == "MAT"

    def __call__(self, image_uint8: np.ndarray, hole: np.ndarray, seed: int = 0) -> np.ndarray:
        device = self.device
        # Seed a forked RNG: ComfyUI's global generator (the samplers' noise) is left as it was.
        devices = [device.index or 0] if device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            if self.size:
                return self._fixed_size_fill(image_uint8, hole, device)
            return self._fill(image_uint8, hole, device)

    def _fill(self, image_uint8: np.ndarray, hole: np.ndarray, device: torch.device) -> np.ndarray:
        # Contiguous NCHW, as IOPaint feeds it: a permuted (channels-last) view makes LaMa's FFT layers ~30% slower.
        image = torch.from_numpy(image_uint8).to(device).permute(2, 0, 1)[None].contiguous().float() / 255.0
        mask = torch.from_numpy(hole.astype(np.float32)).to(device)[None, None]
        h, w = hole.shape
        with torch.inference_mode():
            if self.descriptor is not None:
                out = self.descriptor(image, mask)  # spandrel pads to the model's multiple itself
            else:
                ph, pw = (-h) % self.multiple, (-w) % self.multiple
                mode = "reflect" if ph < h and pw < w else "replicate"
                out = self.module(pad(image, (0, pw, 0, ph), mode=mode), pad(mask, (0, pw, 0, ph), mode=mode))
                out = out[..., :h, :w]
        return (out[0].permute(1, 2, 0).clamp(0, 1) * 255).round().to(torch.uint8).cpu().numpy()

    def _fixed_size_fill(self, image_uint8: np.ndarray, hole: np.ndarray, device: torch.device) -> np.ndarray:
        """MI-GAN at its square size: shrink to fit (area), pad (mirror) to the square, run, crop, grow back (cubic)."""
        h, w = hole.shape
        scale = min(1.0, self.size / max(h, w))
        small_w, small_h = max(1, round(w * scale)), max(1, round(h * scale))
        if scale < 1:
            image = cv2.resize(image_uint8, (small_w, small_h), interpolation=cv2.INTER_AREA)
            # A pixel partly covering the object counts as hole, so none of the object leaks into the fill.
            small_hole = cv2.resize(hole.astype(np.float32), (small_w, small_h), interpolation=cv2.INTER_AREA) > 0
        else:
            image, small_hole = image_uint8, hole
        padding = ((0, self.size - small_h), (0, self.size - small_w))
        image = np.pad(image, (*padding, (0, 0)), mode="symmetric")
        mask = np.pad(small_hole, padding, mode="symmetric")
        rgb = torch.from_numpy(image).to(device).permute(2, 0, 1)[None].contiguous().float() / 127.5 - 1.0
        m = torch.from_numpy(mask.astype(np.float32)).to(device)[None, None]
        with torch.inference_mode():
            out = self.module(torch.cat([0.5 - m, rgb * (1 - m)], dim=1))
        out = (out[0].permute(1, 2, 0) * 127.5 + 127.5).round().clamp(0, 255).to(torch.uint8).cpu().numpy()
        fill = np.ascontiguousarray(out[:small_h, :small_w])
        if scale < 1:
            fill = cv2.resize(fill, (w, h), interpolation=cv2.INTER_CUBIC)
        result = image_uint8.copy()
        result[hole] = fill[hole]
        return result
