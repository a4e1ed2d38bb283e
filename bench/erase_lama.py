"""LaMa through IB_Erase (crop strategy, native resolution) vs IOPaint 1.6.0's own LaMa crop path.

Run: .venv/bin/python bench/erase_lama.py [--repeats 3]

Both sides load the same file, a random-weight LaMa of the real architecture (spandrel's, big-lama
layout) traced to TorchScript like IOPaint's big-lama.pt, and get the same photo and holes:
1. 2048² with four SAM-shaped holes: above the 800 px trigger, so both run each region's window;
2. 768² with one hole: below the trigger, the whole image at native size.
IOPaint runs its own code (``iopaint.model.lama.LaMa.__call__`` with ``HDStrategy.CROP``, trigger 800,
margin 128) in its own venv under ``.cache/iopaint`` (prepared on first use: ``pip download --no-deps
iopaint==1.6.0``, unpacked, plus the few packages its LaMa path imports), driven by
``bench/iopaint_lama_worker.py``. Ours is timed twice: the node's core (``run_strategy`` + the learned
eraser) in an equally lean process (``bench/erase_lama_worker.py``), and ``IB_Erase`` itself inside
this process with ComfyUI loaded. The three run in turn and ratios are taken round by round. One torch
thread each. Random weights: times and pixel agreement, not quality.
"""

import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import ROOT, load_pack_in_comfy, pack_node_module, row  # noqa: E402
from erase import place, segmentation_shape  # noqa: E402
from skimage import data  # noqa: E402

IOPAINT = ROOT / ".cache" / "iopaint"
# What iopaint.model.lama imports (through base, helper, schema and model/utils), at IOPaint 1.6.0's pins.
IOPAINT_DEPS = [
    "numpy",
    "opencv-python-headless",
    "pillow",
    "loguru",
    "pydantic>=2.5.2",
    "diffusers==0.27.2",
    "huggingface-hub==0.25.2",
    "typer",
    "rich",
    "omegaconf",
    "easydict",
    "yacs",
    "piexif==1.1.3",
]


def iopaint_env() -> tuple[pathlib.Path, pathlib.Path]:
    """(python of IOPaint's venv, IOPaint's unpacked source), prepared once."""
    src, venv = IOPAINT / "src", IOPAINT / "venv"
    if not (src / "iopaint" / "model" / "lama.py").is_file():
        IOPAINT.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "iopaint==1.6.0", "-d", str(IOPAINT)],
            check=True,
        )
        wheel = next(IOPAINT.glob("*opaint-1.6.0-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(src)
    python = venv / "bin" / "python"
    if not python.is_file():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        constraints = IOPAINT / "constraints.txt"  # the same torch as ours, never a CUDA build pulled in
        constraints.write_text(f"torch=={torch.__version__.split('+')[0]}\n")
        pip = [str(python), "-m", "pip", "install", "-q", "-c", str(constraints)]
        subprocess.run([*pip, "torch"], check=True)
        subprocess.run([*pip, *IOPAINT_DEPS], check=True)
    return python, src


class Worker:
    """A benchmark worker process (``*_lama_worker.py``): ``load`` once, then timed ``run``s."""

    def __init__(self, python, script: str, output: str, model: pathlib.Path, *args):
        self.output = output
        env = {**os.environ, "OMP_NUM_THREADS": os.environ["OMP_NUM_THREADS"]}
        self.proc = subprocess.Popen(
            [str(python), str(ROOT / "bench" / script), *map(str, args)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self._ask(f"load {model}") == "ok"

    def _ask(self, line: str) -> str:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if not answer:
            raise RuntimeError(f"{self.output} worker ended (exit {self.proc.poll()})")
        return answer

    def run(self, case: pathlib.Path) -> tuple[float, np.ndarray]:
        seconds = float(self._ask(f"run {case}"))
        return seconds, np.load(case / self.output)

    def close(self):
        self.proc.stdin.write("quit\n")
        self.proc.stdin.close()
        self.proc.wait(30)


def random_lama(folder: pathlib.Path) -> pathlib.Path:
    from support.tiny_models import build_lama

    path = build_lama(folder, formats=("torchscript",))["torchscript"]
    return path.rename(folder / "big-lama.pt")


def cases(shape: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    n = 2048
    big = cv2.resize(data.astronaut(), (n, n), interpolation=cv2.INTER_CUBIC)
    holes = np.zeros((n, n), bool)
    for cy, cx in ((n // 5, n // 5), (n // 5, 4 * n // 5), (4 * n // 5, n // 4), (3 * n // 5, 3 * n // 5)):
        holes |= place(shape, (n, n), 0.8, (cy, cx))
    small = cv2.resize(data.astronaut(), (768, 768), interpolation=cv2.INTER_AREA)
    return {
        "2048² four holes (crop windows)": (big, holes),
        "768² one hole (whole image)": (small, place(shape, (768, 768), 0.8, (300, 400))),
    }


def ours(erase, handle, image: np.ndarray, hole: np.ndarray) -> tuple[float, np.ndarray]:
    tensor = torch.from_numpy(image).float().div(255)[None]
    mask = torch.from_numpy(hole.astype(np.float32))[None]
    start = time.perf_counter()
    out = erase.Erase.execute(
        image=tensor, mask=mask, engine="model", erase_model=handle, strategy="crop",
        crop_trigger_size=800, crop_margin=128, dilate=0, feather=0,
    ).args[0]  # fmt: skip
    elapsed = time.perf_counter() - start
    return elapsed, (out[0] * 255).round().to(torch.uint8).numpy()


def outside_changed(result: np.ndarray, image: np.ndarray, hole: np.ndarray) -> int:
    return int((result[~hole] != image[~hole]).any(-1).sum())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    shape = segmentation_shape()
    erase = pack_node_module(load_pack_in_comfy(), "erase")
    work = pathlib.Path(tempfile.mkdtemp(prefix="ib-lama-bench-"))
    try:
        model = random_lama(work)
        handle = erase.EraseModelHandle(model.name, str(model))
        iopaint_python, iopaint_src = iopaint_env()
        core = Worker(sys.executable, "erase_lama_worker.py", "ours_core.npy", model)
        iopaint = Worker(iopaint_python, "iopaint_lama_worker.py", "iopaint.npy", model, iopaint_src)
        row("case", "IOPaint s", "ours core s", "ours node s", "IOPaint/core", "IOPaint/node",
            "fill max |diff| core, node vs IOPaint", "outside changed: core / node / IOPaint")  # fmt: skip
        for index, (label, (image, hole)) in enumerate(cases(shape).items()):
            case = work / f"case{index}"
            case.mkdir()
            np.save(case / "image.npy", image)
            np.save(case / "mask.npy", hole.astype(np.uint8) * 255)
            runs = []
            for i in range(args.repeats + 1):  # in turn, IOPaint / ours core / ours node; the first round warms up
                round_ = (iopaint.run(case), core.run(case), ours(erase, handle, image, hole))
                if i:
                    runs.append(round_)
            (_, theirs), (_, mine), (_, node) = runs[-1]
            med = [statistics.median(r[k][0] for r in runs) for k in range(3)]
            ratio = [statistics.median(r[0][0] / r[k][0] for r in runs) for k in (1, 2)]
            diff = [int(np.abs(x.astype(int) - theirs.astype(int))[hole].max()) for x in (mine, node)]
            row(
                label,
                *(f"{m:.3f}" for m in med),
                *(f"{r:.2f}x" for r in ratio),
                f"{diff[0]}, {diff[1]}",
                " / ".join(str(outside_changed(x, image, hole)) for x in (mine, node, theirs)),
            )
        core.close()
        iopaint.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
