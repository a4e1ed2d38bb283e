"""IOPaint 1.6.0's own LaMa crop path, run for ``bench/erase_lama.py`` in IOPaint's venv.

Started by the bench with the venv that ``erase_lama.py`` prepares under ``.cache/iopaint``; reads
commands on stdin: ``load <model.pt>``, then ``run <case dir>`` (``image.npy`` RGB uint8 and
``mask.npy`` 0/255 there); answers ``<seconds>`` per run and writes ``iopaint.npy`` (RGB). Only
IOPaint's ``iopaint.model.lama`` / ``base`` / ``helper`` / ``schema`` are imported: its package's
``__init__`` would import every model it ships and their dependencies, which this run does not use.
"""

import os
import sys
import time
import types

import numpy as np


def import_lama(src: str, model_path: str):
    os.environ["LAMA_MODEL_URL"] = model_path  # IOPaint loads a local path as is (helper.load_jit_model)
    sys.path.insert(0, src)
    package = types.ModuleType("iopaint.model")
    package.__path__ = [os.path.join(src, "iopaint", "model")]
    sys.modules["iopaint.model"] = package
    from iopaint.model.lama import LaMa
    from iopaint.schema import HDStrategy, InpaintRequest

    config = InpaintRequest(hd_strategy=HDStrategy.CROP, hd_strategy_crop_trigger_size=800, hd_strategy_crop_margin=128)
    return LaMa(device="cpu"), config


def main() -> None:
    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    src = sys.argv[1]
    model = config = None
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "load":
            model, config = import_lama(src, arg)
            print("ok", flush=True)
        elif command == "run":
            image = np.load(os.path.join(arg, "image.npy"))
            mask = np.load(os.path.join(arg, "mask.npy"))
            start = time.perf_counter()
            result = model(image, mask, config)  # BGR, as IOPaint returns it
            elapsed = time.perf_counter() - start
            np.save(os.path.join(arg, "iopaint.npy"), np.ascontiguousarray(result[:, :, ::-1]))
            print(f"{elapsed:.6f}", flush=True)
        elif command == "quit":
            return


if __name__ == "__main__":
    main()
