"""Learned erase models (LaMa, MAT) loaded from files: spandrel state dicts or TorchScript.

- ``.safetensors`` / ``.pth`` / ``.ckpt`` state dicts: the architecture (LaMa, MAT) is
  detected by ``spandrel`` (a maintained model-architecture library) and its extra
  architectures; only inpainting models are accepted; fixed-size models (MAT: square,
  multiples of 512) are padded by spandrel to their size requirements;
- TorchScript ``.pt`` (IOPaint's ``big-lama.pt``): called as ``model(image, mask)``.

Both take an RGB image in 0..1 and a 0/1 mask and return RGB in 0..1; sizes are
padded (reflect) to the model's multiple and cropped back.
"""

import logging
import zipfile

import numpy as np
import torch
from torch.nn.functional import pad

log = logging.getLogger(__name__)


def is_torchscript(path: str) -> bool:
    """TorchScript archives are zip files holding a ``constants.pkl``/``code/`` tree."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as zf:
        return any(n.endswith("constants.pkl") or "/code/" in n for n in zf.namelist())


class LearnedEraser:
    def __init__(self, path: str, device: str = "cpu"):
        self.path, self.device = path, torch.device(device)
        try:
            if is_torchscript(path):
                self.kind, self.multiple = "torchscript", 8
                self.module = torch.jit.load(path, map_location=self.device).eval()
                self.descriptor = None
            else:
                import spandrel
                import spandrel_extra_arches

                # MAT lives in spandrel_extra_arches: the package is MIT, but MAT's own code carries a
                # restrictive (non-commercial) licence — see the README before commercial use.
                spandrel_extra_arches.install(ignore_duplicates=True)
                descriptor = spandrel.ModelLoader(self.device).load_from_file(path)
                if descriptor.purpose != "Inpainting":
                    raise ValueError(
                        f"it is a {descriptor.purpose} model ({descriptor.architecture.name}), not an eraser"
                    )
                descriptor.model.eval()
                self.descriptor, self.module = descriptor, None
                self.kind = descriptor.architecture.name
                self.multiple = descriptor.size_requirements.multiple_of or 1
        except Exception as exc:
            raise ValueError(f"could not load erase model {path}: {exc}") from exc

    def __call__(self, image_uint8: np.ndarray, hole: np.ndarray, seed: int = 0) -> np.ndarray:
        torch.manual_seed(seed)
        image = torch.from_numpy(image_uint8).to(self.device).permute(2, 0, 1)[None].float() / 255.0
        mask = torch.from_numpy(hole.astype(np.float32)).to(self.device)[None, None]
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
