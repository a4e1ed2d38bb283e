"""Novita contract overhead: a Novita client's whole round trip vs the same inpaint task through the native API.

One real ComfyUI (temp base folder, the reduced SD1.5 inpainting checkpoint placed in it) and the bridge as its
own process (``python -m api_bridge``, remote mode) with a Novita key. Requests alternate, one at a time:

* novita: ``POST /v3/async/inpainting`` (base64 image + mask in the JSON body) → ``GET /v3/async/task-result``
  polled → the result image downloaded from its ``image_url``;
* native: ``POST /bridge/v1/images`` ×2 → ``POST /bridge/v1/tasks`` with the very task the Novita mapping builds
  (``contracts/novita/task.py``) → ``GET /bridge/v1/tasks/{id}`` polled → the output downloaded.

Both poll every ``--poll`` s, each request has its own seed. Latency is submit → result bytes in hand. Prints
the medians and the novita/native ratio (goal ≤ 1.1); ``--type jpeg`` adds Novita's JPEG copy to its side.

    .venv/bin/python bench/novita_contract.py [--n 12] [--steps 4] [--size 256] [--type png]
"""

import argparse
import base64
import json
import os
import pathlib
import statistics
import sys
import tempfile
import time

import httpx
import numpy as np
from PIL import Image
from skimage import data

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from bridge_overhead import bridge_on_comfy  # noqa: E402

from api_bridge.contracts.novita.catalog import ResolvedModels  # noqa: E402
from api_bridge.contracts.novita.models import parse_body  # noqa: E402
from api_bridge.contracts.novita.task import inpaint_task  # noqa: E402
from api_bridge.samplers import resolve_sampler  # noqa: E402
from api_bridge.tasks import ImageRef  # noqa: E402
from support.bridge import png_bytes  # noqa: E402
from support.test_checkpoints import INPAINTING  # noqa: E402

KEY = "bench-novita-key"


def inputs(size: int) -> tuple[bytes, bytes]:
    photo = Image.fromarray(data.astronaut()).resize((size, size))
    mask = np.zeros((size, size), np.uint8)
    mask[size * 5 // 16 : size * 10 // 16, size * 6 // 16 : size * 10 // 16] = 255
    return png_bytes(photo), png_bytes(Image.fromarray(mask))


def novita_body(image: bytes, mask: bytes, seed: int, steps: int, image_type: str) -> dict:
    return {
        "extra": {"response_image_type": image_type},
        "request": {
            "model_name": INPAINTING,
            "image_base64": base64.b64encode(image).decode(),
            "mask_image_base64": base64.b64encode(mask).decode(),
            "prompt": "a smiling face",
            "negative_prompt": "blurry",
            "image_num": 1,
            "steps": steps,
            "guidance_scale": 7.0,
            "sampler_name": "Euler a",
            "seed": seed,
            "inpainting_full_res": 1,
            "inpainting_full_res_padding": 32,
        },
    }


def novita_once(c: httpx.Client, body: dict, poll: float) -> tuple[float, float]:
    headers = {"Authorization": f"Bearer {KEY}"}
    start = time.perf_counter()
    task_id = c.post("/v3/async/inpainting", json=body, headers=headers).json()["task_id"]
    submitted = time.perf_counter() - start
    while True:
        result = c.get("/v3/async/task-result", params={"task_id": task_id}, headers=headers).json()
        status = result["task"]["status"]
        if status in ("TASK_STATUS_SUCCEED", "TASK_STATUS_FAILED"):
            break
        time.sleep(poll)
    assert status == "TASK_STATUS_SUCCEED", result["task"]["reason"]
    assert len(c.get(result["images"][0]["image_url"]).content) > 100
    return time.perf_counter() - start, submitted


def native_once(c: httpx.Client, image: bytes, mask: bytes, task_for, seed: int, poll: float) -> tuple[float, float]:
    start = time.perf_counter()
    refs = [c.post("/bridge/v1/images", files={"file": ("x.png", b, "image/png")}).json() for b in (image, mask)]
    task_id = c.post("/bridge/v1/tasks", json={"task": task_for(*refs, seed)}).json()["id"]
    submitted = time.perf_counter() - start
    while True:
        record = c.get(f"/bridge/v1/tasks/{task_id}").json()
        if record["status"] in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(poll)
    assert record["status"] == "succeeded", record["error"]
    assert len(c.get(record["outputs"][0]["url"]).content) > 100
    return time.perf_counter() - start, submitted


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=12, help="requests per side")
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--size", type=int, default=256, help="image side and sampling size")
    ap.add_argument("--poll", type=float, default=0.05, help="result polling interval (s), both sides")
    ap.add_argument("--type", default="png", choices=["png", "jpeg", "webp"], help="Novita's response_image_type")
    args = ap.parse_args()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="ib-bench-novita-"))
    os.environ.update(IB_NOVITA_KEYS=KEY, IB_NOVITA_SAMPLE_SIDE=str(args.size))
    image, mask = inputs(args.size)

    def task_for(image_ref: dict, mask_ref: dict, seed: int) -> dict:
        # The task the contract builds for the Novita request (same mapping code), on the native uploads.
        req = parse_body(json.dumps(novita_body(image, mask, seed, args.steps, "png")).encode())
        models = ResolvedModels(checkpoint=INPAINTING, family="sd15", vae=None, loras=[], embeddings=[])
        refs = [ImageRef(**ref) for ref in (image_ref, mask_ref)]
        task = inpaint_task(
            req.request, image=refs[0], mask=refs[1], models=models, sampler=resolve_sampler("Euler a"), side=args.size
        )
        return task.model_dump(mode="json")

    with bridge_on_comfy(tmp, checkpoints=True) as (comfy, bridge):
        with httpx.Client(base_url=bridge.url, timeout=120) as c:
            print(f"inpaint {args.size}² ({args.steps} steps, reduced SD1.5 inpainting), novita {args.type}:")
            novita_once(c, novita_body(image, mask, 1, args.steps, args.type), args.poll)  # warm-up
            native_once(c, image, mask, task_for, 2, args.poll)
            novita, native = [], []
            for i in range(args.n):
                novita.append(novita_once(c, novita_body(image, mask, 1000 + 2 * i, args.steps, args.type), args.poll))
                native.append(native_once(c, image, mask, task_for, 1001 + 2 * i, args.poll))
        for name, runs in (("native", native), ("novita", novita)):
            total, submit = (statistics.median(r[i] for r in runs) for i in (0, 1))
            print(f"  {name}  n={len(runs)} median {total * 1000:8.1f} ms (submit {submit * 1000:6.1f} ms)")
        mn, mv = (statistics.median(r[0] for r in runs) for runs in (native, novita))
        print(f"  ratio novita/native (median): {mv / mn:.3f}   overhead {1000 * (mv - mn):.1f} ms")


if __name__ == "__main__":
    main()
