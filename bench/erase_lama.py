"""LaMa through IB_Erase (crop strategy, native resolution) vs IOPaint 1.6.0's own LaMa crop path.

Run: .venv/bin/python bench/erase_lama.py [--repeats 3]

Both sides load the same file, a random-weight LaMa of the real architecture (spandrel's, big-lama
layout) traced to TorchScript like IOPaint's big-lama.pt, and get the same photo and holes:
1. 2048² with four SAM-shaped holes: above the 800 px trigger, so both run each region's window;
2. 768² with one hole: below the trigger, the whole image at native size.
IOPaint runs its own code (``iopaint.model.lama.LaMa.__call__`` with ``HDStrategy.CROP``, trigger 800,
margin 128) in its own venv under ``.cache/iopaint`` (prepared on first use: ``pip download --no-deps
iopaint==1.6.0``, unpacked, plus the few packages its LaMa path imports), driven by
``bench/iopaint_lama_worker.py``. Runs alternate ours / IOPaint; the ratio is taken pair by pair. One torch
thread on each side. Random weights: times and pixel agreement, not quality.
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


class IOPaintWorker:
    def __init__(self, model: pathlib.Path):
        python, src = iopaint_env()
        worker = ROOT / "bench" / "iopaint_lama_worker.py"
        env = {**os.environ, "OMP_NUM_THREADS": os.environ["OMP_NUM_THREADS"]}
        self.proc = subprocess.Popen(
            [str(python), str(worker), str(src)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        assert self._ask(f"load {model}") == "ok"

    def _ask(self, line: str) -> str:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if not answer:
            raise RuntimeError(f"IOPaint worker ended (exit {self.proc.poll()})")
        return answer

    def run(self, case: pathlib.Path) -> tuple[float, np.ndarray]:
        seconds = float(self._ask(f"run {case}"))
        return seconds, np.load(case / "iopaint.npy")

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
        worker = IOPaintWorker(model)
        row("case", "ours s (median)", "IOPaint s (median)", "ratio IOPaint/ours (paired median)",
            "fill max |diff|", "outside changed: ours / IOPaint")  # fmt: skip
        for label, (image, hole) in cases(shape).items():
            case = work / str(abs(hash(label)))
            case.mkdir()
            np.save(case / "image.npy", image)
            np.save(case / "mask.npy", hole.astype(np.uint8) * 255)
            pairs = []
            for i in range(args.repeats + 1):  # the first pair warms both up and is not counted
                (t_ours, out), (t_theirs, theirs) = ours(erase, handle, image, hole), worker.run(case)
                if i:
                    pairs.append((t_ours, t_theirs))
            diff = np.abs(out.astype(int) - theirs.astype(int))[hole].max()
            outside = (
                int((out[~hole] != image[~hole]).any(-1).sum()),
                int((theirs[~hole] != image[~hole]).any(-1).sum()),
            )
            row(
                label,
                f"{statistics.median(p[0] for p in pairs):.3f}",
                f"{statistics.median(p[1] for p in pairs):.3f}",
                f"{statistics.median(p[1] / p[0] for p in pairs):.2f}x",
                int(diff),
                f"{outside[0]} / {outside[1]}",
            )
        worker.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
