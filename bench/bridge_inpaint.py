"""Bridge inpaint overhead: an ``inpaint`` task through the bridge vs the very graph its recipe builds, posted to
ComfyUI ``/prompt`` directly, at 512² with the reduced SD1.5 inpainting checkpoint.

One real ComfyUI (temp base folder, the test checkpoint placed in it) and the bridge as its own process
(``python -m api_bridge`` in remote mode), as in ``bridge_overhead.py``. Requests alternate
direct / bridge one at a time (so machine load hits both alike), each with its own seed (ComfyUI re-samples;
the crop, text encoding and VAE encode are cached on both sides alike). Latency is submit → result PNG in hand.
Prints medians and the bridge/direct ratio (goal ≤ 1.1).

    .venv/bin/python bench/bridge_inpaint.py [--n 12] [--steps 4] [--size 512]
"""

import argparse
import asyncio
import pathlib
import statistics
import sys
import tempfile

import httpx
import numpy as np
from PIL import Image
from skimage import data

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from bridge_overhead import _object_info, bridge_on_comfy, bridge_run, direct_run  # noqa: E402

from api_bridge.graph.recipes import build_graph  # noqa: E402
from api_bridge.tasks import parse_task  # noqa: E402
from support.bridge import png_bytes  # noqa: E402
from support.test_checkpoints import INPAINTING  # noqa: E402

DIRECT_FOLDER = "ib-bench-direct"


def inputs(size: int) -> tuple[Image.Image, Image.Image]:
    photo = Image.fromarray(data.astronaut()).resize((size, size))
    mask = np.zeros((size, size), np.uint8)
    mask[size * 5 // 16 : size * 10 // 16, size * 6 // 16 : size * 10 // 16] = 255  # a face-sized box
    return photo, Image.fromarray(mask).convert("RGB")


def task_json(image_ref: dict, mask_ref: dict, seed: int, steps: int, size: int) -> dict:
    return {
        "kind": "inpaint",
        "image": image_ref,
        "mask": {"image": mask_ref},
        "model": {"checkpoint": INPAINTING},
        "prompt": {"positive": "a smiling face", "negative": "blurry"},
        "sampling": {"steps": steps, "cfg": 7.0, "sampler": "Euler a"},
        "region": {"width": size, "height": size},
        "seed": seed,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=12, help="requests per side")
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--size", type=int, default=512, help="image side and crop target")
    args = ap.parse_args()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="ib-bench-inpaint-"))
    with bridge_on_comfy(tmp, checkpoints=True) as (comfy, bridge):
        photo, mask = inputs(args.size)
        with httpx.Client(base_url=bridge.url, timeout=60) as c:
            refs = [c.post("/bridge/v1/images", files={"file": ("x.png", png_bytes(im), "image/png")}).json()
                    for im in (photo, mask)]  # fmt: skip
        # The direct side posts the graph the recipe builds, on the same pictures uploaded once under a folder
        # of its own (the bridge removes its uploads after each run).
        for ref, im in zip(refs, (photo, mask), strict=True):
            httpx.post(
                comfy.url + "/upload/image",
                files={"image": (ref["blob"], png_bytes(im), "image/png")},
                data={"subfolder": DIRECT_FOLDER, "type": "input", "overwrite": "true"},
            ).raise_for_status()
        oi = asyncio.run(_object_info(comfy.url))

        def prompt(seed):
            built = build_graph(parse_task(task_json(*refs, seed, args.steps, args.size)), oi).prompt
            for node in built.values():
                if node["class_type"] == "LoadImage":
                    node["inputs"]["image"] = node["inputs"]["image"].replace("inpaint-bridge/", DIRECT_FOLDER + "/")
            return built

        print(f"inpaint {args.size}² ({args.steps} steps, reduced SD1.5 inpainting checkpoint), concurrency 1:")
        asyncio.run(direct_run(comfy.url, [prompt(0)], 1))  # warm-up: model load, caches
        asyncio.run(bridge_run(bridge.url, [task_json(*refs, 1, args.steps, args.size)], 1))
        direct, through = [], []
        for i in range(args.n):
            direct += asyncio.run(direct_run(comfy.url, [prompt(1000 + 2 * i)], 1))
            times, statuses = asyncio.run(
                bridge_run(bridge.url, [task_json(*refs, 1001 + 2 * i, args.steps, args.size)], 1)
            )
            assert statuses == ["succeeded"], statuses
            through += times
        md, mb = statistics.median(direct), statistics.median(through)
        print(f"  direct  n={len(direct)} median {md * 1000:8.1f} ms")
        print(f"  bridge  n={len(through)} median {mb * 1000:8.1f} ms")
        print(f"  ratio bridge/direct (median): {mb / md:.3f}   overhead {1000 * (mb - md):.1f} ms")


if __name__ == "__main__":
    main()
