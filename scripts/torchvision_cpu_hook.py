"""Import hook that lets a CUDA-built torchvision import on a CPU-only torch.

PyPI only carries CUDA builds of torchvision. On a CPU torch its ``_C.so`` cannot
load (it needs ``libtorch_cuda.so``) and ``import torchvision`` then dies while
registering fake kernels for ``torchvision::nms``. Copied into site-packages and
loaded from a ``.pth`` file by ``scripts/cpu_torch_fix.py``, this hook waits for the
first ``import torchvision``: only if the native library fails to load does it
define ``nms``/``qnms`` in pure PyTorch, so ComfyUI (which imports torchvision)
starts and box ops keep working. With a working torchvision it does nothing.
"""

import importlib.abc
import importlib.machinery
import os
import sys


def _nms_cpu(boxes, scores, iou_threshold: float):
    import torch

    if boxes.numel() == 0:
        return torch.empty((0,), dtype=torch.int64, device=boxes.device)
    x1, y1, x2, y2 = boxes.unbind(1)
    areas = (x2 - x1) * (y2 - y1)
    order = scores.argsort(descending=True)
    keep = []
    suppressed = torch.zeros(boxes.shape[0], dtype=torch.bool, device=boxes.device)
    for i in order.tolist():
        if suppressed[i]:
            continue
        keep.append(i)
        w = (torch.minimum(x2[i], x2) - torch.maximum(x1[i], x1)).clamp(min=0)
        h = (torch.minimum(y2[i], y2) - torch.maximum(y1[i], y1)).clamp(min=0)
        inter = w * h
        iou = inter / (areas[i] + areas - inter)
        suppressed |= iou > iou_threshold
    return torch.tensor(keep, dtype=torch.int64, device=boxes.device)


def _native_ops_load(origin_dir: str) -> bool:
    import torch

    for name in os.listdir(origin_dir):
        if name.startswith("_C") and name.endswith((".so", ".pyd")):
            try:
                torch.ops.load_library(os.path.join(origin_dir, name))
                return True
            except (OSError, RuntimeError):
                return False
    return False


def _define_pure_torch_ops() -> None:
    import torch

    lib = torch.library.Library("torchvision", "DEF")
    lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    lib.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    lib.impl("nms", _nms_cpu, "CPU")
    lib.impl("qnms", lambda d, s, t: _nms_cpu(d.dequantize(), s.dequantize(), t), "CPU")
    _KEEP.append(lib)  # the library object must outlive this function


_KEEP: list = []


class _Loader(importlib.abc.Loader):
    def __init__(self, inner, origin_dir):
        self.inner, self.origin_dir = inner, origin_dir

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module):
        fallback = not _native_ops_load(self.origin_dir)
        if fallback:
            _define_pure_torch_ops()
        self.inner.exec_module(module)
        if fallback:
            # nms/batched_nms assert the native library; our ops stand in for it.
            sys.modules["torchvision.ops.boxes"]._assert_has_ops = lambda: None


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        # Stay installed: libraries probe with importlib.util.find_spec() long before
        # they import, and each real import must get the wrapped loader.
        if fullname != "torchvision" or "torchvision" in sys.modules:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not spec.submodule_search_locations:
            return spec
        spec.loader = _Loader(spec.loader, list(spec.submodule_search_locations)[0])
        return spec


def install() -> None:
    if os.environ.get("INPAINT_BRIDGE_NO_TV_HOOK") != "1" and "torchvision" not in sys.modules:
        sys.meta_path.insert(0, _Finder())


install()
