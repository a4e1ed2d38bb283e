"""Fooocus contract overhead: FooocusAPI v2.5 ``POST /v1/engine/generate`` (synchronous, images as base64 in the
body, the client's default fields) vs the same inpaint task through the bridge's native API (upload both
images, ``POST /bridge/v1/tasks``, wait, fetch the PNG), at 512² with the reduced SD1.5 inpainting checkpoint.

What the contract adds is its own work: parsing every Fooocus field, decoding two base64 images, resolving the
model names through the listing (a default LoRA that is not installed misses, and the catalog refetches a
listing older than 1 s), rendering the record, and the client fetching the result URL. One real ComfyUI
(temp base folder) and the bridge as its own process, requests alternating one at a time so machine load
hits both sides alike, each with its own seed. Latency: request sent → result PNG in hand; "outside the run":
that latency minus the task's own run on ComfyUI (its record's started → finished), which takes the sampler's
noise (a loaded machine moves it by seconds) out of what the contract costs.

    .venv/bin/python bench/fooocus_overhead.py [--n 10] [--steps 4] [--size 512]
"""

import argparse
import base64
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

from support.bridge import png_bytes  # noqa: E402
from support.test_checkpoints import INPAINTING  # noqa: E402


def inputs(size: int) -> tuple[Image.Image, Image.Image]:
    photo = Image.fromarray(data.astronaut()).resize((size, size))
    mask = np.zeros((size, size), np.uint8)
    mask[size * 5 // 16 : size * 10 // 16, size * 6 // 16 : size * 10 // 16] = 255
    return photo, Image.fromarray(mask).convert("RGB")


def fooocus_body(photo: Image.Image, mask: Image.Image, seed: int, steps: int) -> dict:
    return {
        "prompt": "a smiling face",
        "negative_prompt": "blurry",
        "inpaint_input_image": base64.b64encode(png_bytes(photo)).decode(),
        "inpaint_mask_image_upload": base64.b64encode(png_bytes(mask)).decode(),
        "base_model_name": INPAINTING,
        "image_seed": seed,
        "overwrite_step": steps,
    }


def native_task(image_ref: dict, mask_ref: dict, seed: int, steps: int, size: int) -> dict:
    """The task the contract submits for ``fooocus_body`` (api_bridge/contracts/fooocus/job.py's mapping)."""
    return {
        "kind": "inpaint",
        "seed": seed,
        "image": image_ref,
        "mask": {"image": mask_ref, "rule": "rgb_mean", "threshold": 127},
        "model": {"checkpoint": INPAINTING, "clip_skip": 2},
        "prompt": {"positive": "a smiling face", "negative": "blurry"},
        "sampling": {"steps": steps, "cfg": 4.0, "sampler": "dpmpp_2m_sde_gpu", "scheduler": "karras"},
        "region": {"context": "respective_field", "respective_field": 0.618, "width": size, "height": size},
    }


def run_seconds(c: httpx.Client, task_id: str) -> float:
    record = c.get(f"/bridge/v1/tasks/{task_id}").json()
    assert record["status"] == "succeeded", record
    return record["finished_at"] - record["started_at"]


def fooocus_once(c: httpx.Client, body: dict) -> tuple[float, float]:
    t0 = time.perf_counter()
    r = c.post("/v1/engine/generate", json=body)
    r.raise_for_status()
    c.get(r.json()["result"][0]).raise_for_status()
    latency = time.perf_counter() - t0
    return latency, latency - run_seconds(c, r.json()["task_id"])


def native_once(c: httpx.Client, photo, mask, seed: int, steps: int, size: int) -> tuple[float, float]:
    t0 = time.perf_counter()
    refs = [c.post("/bridge/v1/images", files={"file": ("x.png", png_bytes(im), "image/png")}).json()
            for im in (photo, mask)]  # fmt: skip
    r = c.post("/bridge/v1/tasks", json={"task": native_task(*refs, seed, steps, size)})
    r.raise_for_status()
    record = c.get(f"/bridge/v1/tasks/{r.json()['id']}", params={"wait": 300}).json()
    assert record["status"] == "succeeded", record
    c.get(record["outputs"][0]["url"]).raise_for_status()
    latency = time.perf_counter() - t0
    return latency, latency - run_seconds(c, record["id"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10, help="requests per side")
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--size", type=int, default=512)
    args = ap.parse_args()
    os.environ["IB_FOOOCUS_CROP_SIZE"] = str(args.size)  # the bridge process samples the crop at the native size
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="ib-bench-fooocus-"))
    with bridge_on_comfy(tmp, checkpoints=True) as (comfy, bridge):
        photo, mask = inputs(args.size)
        with httpx.Client(base_url=bridge.url, timeout=300) as c:
            print(f"inpaint {args.size}² ({args.steps} steps, reduced SD1.5 inpainting checkpoint), one at a time:")
            fooocus_once(c, fooocus_body(photo, mask, 1, args.steps))  # warm-up: model load, caches
            native_once(c, photo, mask, 2, args.steps, args.size)
            fooocus, native = [], []
            for i in range(args.n):
                fooocus.append(fooocus_once(c, fooocus_body(photo, mask, 1000 + 2 * i, args.steps)))
                native.append(native_once(c, photo, mask, 1001 + 2 * i, args.steps, args.size))
        for what, i in (("latency", 0), ("outside the run", 1)):
            mf, mn = statistics.median(x[i] for x in fooocus), statistics.median(x[i] for x in native)
            print(f"  {what}: native API median {mn * 1000:.1f} ms, Fooocus v2.5 median {mf * 1000:.1f} ms, "
                  f"ratio {mf / mn:.3f} ({1000 * (mf - mn):+.1f} ms)")  # fmt: skip


if __name__ == "__main__":
    main()
