"""IOPaint's /api/v1/inpaint through the bridge vs IOPaint 1.6.0's own work for the same request.

The web UI's payload (``cv2`` model, Navier–Stokes radius 5, HD strategy Crop) on real photos: the 600x400 coffee
with the spoon painted, and a 2048x1365 copy with three strokes (crop windows). Ours: an HTTP POST to the bridge
(``python -m api_bridge`` in its own process, remote mode) on a real ComfyUI, request sent → result bytes in hand.
IOPaint: the body of its ``api_inpaint`` (decode, threshold, ``OpenCV2`` under the HD strategy, encode) in its
own venv (``bench/iopaint_cv2_worker.py``; the venv ``bench/erase_lama.py`` prepares), without an HTTP layer.
They run in turn, A B A B; medians and the bridge/IOPaint ratio per case; the two results' pixels compared.

    OMP_NUM_THREADS=1 .venv/bin/python bench/iopaint_api.py [--repeats 7]
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2  # noqa: E402
import httpx  # noqa: E402
import numpy as np  # noqa: E402
from bridge_overhead import bridge_on_comfy  # noqa: E402
from erase_lama import iopaint_env  # noqa: E402
from PIL import Image  # noqa: E402
from skimage import data  # noqa: E402

from support.iopaint import brush_mask, data_url, decode, masked  # noqa: E402

SPOON = [(350, 330), (385, 325), (390, 290), (345, 285), (350, 255), (385, 250), (392, 200), (402, 150), (414, 62)]


def cases() -> dict[str, tuple[np.ndarray, Image.Image]]:
    coffee = data.coffee()
    big = cv2.resize(coffee, (2048, 1365), interpolation=cv2.INTER_CUBIC)
    scale = 2048 / 600
    strokes = [
        [(round(x * scale), round(y * scale)) for x, y in SPOON],
        [(300, 300), (500, 380)],
        [(1700, 1200), (1900, 1250)],
    ]
    big_mask = Image.new("RGBA", (2048, 1365), (0, 0, 0, 0))
    for points in strokes:
        big_mask.alpha_composite(brush_mask((2048, 1365), points, width=70))
    return {
        "600x400, one stroke": (coffee, brush_mask((600, 400), SPOON, width=40)),
        "2048x1365, three strokes (crop)": (big, big_mask),
    }


def request(image: np.ndarray, mask: Image.Image) -> dict:
    # The web UI's keys for the cv2 model (its misspelled trigger key: the 800 px default applies).
    return {
        "image": data_url(Image.fromarray(image)),
        "mask": data_url(mask, mime="image/png"),
        "cv2_flag": "INPAINT_NS",
        "cv2_radius": 5,
        "hd_strategy": "Crop",
        "hd_strategy_crop_triger_size": 640,
        "hd_strategy_crop_margin": 128,
        "sd_seed": 42,
    }


class IOPaintWorker:
    def __init__(self, python: pathlib.Path, src: pathlib.Path):
        self.proc = subprocess.Popen(
            [str(python), str(ROOT / "bench" / "iopaint_cv2_worker.py"), str(src)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "LOGURU_LEVEL": "WARNING"},  # IOPaint logs every crop at INFO
        )

    def run(self, body_file: pathlib.Path, out: pathlib.Path) -> float:
        self.proc.stdin.write(f"run {body_file} {out}\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if not answer:
            raise RuntimeError(f"IOPaint worker ended (exit {self.proc.poll()})")
        return float(answer)

    def close(self) -> None:
        self.proc.stdin.write("quit\n")
        self.proc.stdin.close()
        self.proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    python, src = iopaint_env()
    work = pathlib.Path(tempfile.mkdtemp(prefix="ib-iopaint-bench-"))
    with bridge_on_comfy(work) as (comfy, bridge):
        worker = IOPaintWorker(python, src)
        try:
            client = httpx.Client(base_url=bridge.url + "/api/v1", timeout=300)
            assert client.post("/model", json={"name": "cv2"}).status_code == 200
            print(f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}, {args.repeats} runs each after one warm-up")
            print("case | bridge median s | IOPaint median s | ratio (paired median) | same pixels")
            for name, (image, mask) in cases().items():
                body = request(image, mask)
                body_file = work / "request.json"
                body_file.write_text(json.dumps(body))
                ours, theirs, ratios = [], [], []
                for i in range(args.repeats + 1):
                    start = time.perf_counter()
                    r = client.post("/inpaint", json=body)
                    a = time.perf_counter() - start
                    assert r.status_code == 200, r.text[:300]
                    b = worker.run(body_file, work / "iopaint.png")
                    if i:  # the first pair warms both up
                        ours.append(a)
                        theirs.append(b)
                        ratios.append(a / b)
                mine = np.asarray(decode(r.content).convert("RGB"))
                iopaint = np.asarray(decode((work / "iopaint.png").read_bytes()).convert("RGB"))
                hole = masked(mask)
                assert np.array_equal(mine[~hole], image[~hole]), "outside the mask must be the input's"
                print(
                    f"{name} | {statistics.median(ours):.3f} | {statistics.median(theirs):.3f} | "
                    f"{statistics.median(ratios):.2f} | {np.array_equal(mine, iopaint)}",
                    flush=True,
                )
        finally:
            worker.close()


if __name__ == "__main__":
    main()
