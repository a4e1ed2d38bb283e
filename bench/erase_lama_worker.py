"""Our LaMa crop path without ComfyUI around it, for ``bench/erase_lama.py``: the node's core
(``run_strategy`` with the learned eraser, crop trigger 800, margin 128) in a process as lean as
IOPaint's worker. Same protocol as ``iopaint_lama_worker.py``: ``load <model.pt>``, ``run <case dir>``
(answers seconds, writes ``ours_core.npy``), ``quit``.
"""

import os
import sys
import time

import numpy as np
import torch
from _common import import_pack_as  # noqa: F401  (the pack importable as inpaint_bridge; no ComfyUI)

from inpaint_bridge.nodes.common.erase_learned import LearnedEraser
from inpaint_bridge.nodes.common.erase_strategy import run_strategy


def main() -> None:
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    model = None
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "load":
            model = LearnedEraser(arg)
            print("ok", flush=True)
        elif command == "run":
            image = np.load(os.path.join(arg, "image.npy"))
            hole = np.load(os.path.join(arg, "mask.npy")) > 127
            start = time.perf_counter()
            result = run_strategy(image, hole, model, 0, "crop", crop_trigger_size=800, crop_margin=128)
            elapsed = time.perf_counter() - start
            np.save(os.path.join(arg, "ours_core.npy"), result)
            print(f"{elapsed:.6f}", flush=True)
        elif command == "quit":
            return


if __name__ == "__main__":
    main()
