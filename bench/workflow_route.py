"""A saved workflow through its bridge route vs the same prompt posted to ComfyUI by hand.

The baseline is what a user does without the bridge: upload the picture to ComfyUI, post the API
prompt to /prompt, wait for it (websocket, the fastest way), read /history and fetch the result
from /view. The bridge side is one call, ``POST /bridge/v1/workflows/<name>?wait=`` with the
picture as base64, then the result URL: the picture is decoded and checked, the run is a durable
task (queue, SSE, webhooks, TTL), and the inputs and previews are cleaned up after it. Every
request has its own picture, so ComfyUI's cache answers for neither side. Both sides alternate
per request (a pair at a time), at concurrency 1 and 8; the ratio is of the paired medians.

    .venv/bin/python bench/workflow_route.py [--n1 30] [--n8 80]
"""

import argparse
import asyncio
import base64
import json
import os
import pathlib
import statistics
import sys
import tempfile
import time
import uuid

import aiohttp
import numpy as np
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import bridge_overhead  # noqa: E402  (its ComfyUI / bridge start-up and the direct websocket client)

from support.bridge import png_bytes  # noqa: E402

NAME = "mask_grow_feather"
WORKFLOW = {
    "1": {"class_type": "LoadImage", "inputs": {"image": "x.png"}, "_meta": {"title": "input:mask"}},
    "2": {"class_type": "ImageToMask", "inputs": {"image": ["1", 0], "channel": "red"}},
    "3": {"class_type": "IB_MaskGrow", "inputs": {"mask": ["2", 0], "radius": 6, "kernel": "disc"}},
    "4": {
        "class_type": "IB_MaskFeather",
        "inputs": {"mask": ["3", 0], "radius": 8, "direction": "outer", "falloff": "smooth"},
    },
    "5": {"class_type": "MaskToImage", "inputs": {"mask": ["4", 0]}},
    "6": {"class_type": "PreviewImage", "inputs": {"images": ["5", 0]}, "_meta": {"title": "Mask"}},
}


def picture(i: int) -> bytes:
    """A 512² mask picture of its own (a square whose place depends on i)."""
    pixels = np.zeros((512, 512, 3), np.uint8)
    x, y = 40 + (i * 37) % 300, 60 + (i * 53) % 300
    pixels[y : y + 120, x : x + 140] = 255
    return png_bytes(Image.fromarray(pixels))


async def by_hand(comfy: bridge_overhead.DirectComfy, data: bytes) -> float:
    """Upload the picture, then the prompt naming it: /prompt, the websocket, /history, /view."""
    t0 = time.perf_counter()
    form = aiohttp.FormData()
    form.add_field("image", data, filename=f"bench-{uuid.uuid4().hex}.png", content_type="image/png")
    form.add_field("overwrite", "true")
    async with comfy.session.post(comfy.url + "/upload/image", data=form) as r:
        name = (await r.json())["name"]
    prompt = json.loads(json.dumps(WORKFLOW))
    prompt["1"]["inputs"]["image"] = name
    await comfy.run(prompt)
    return time.perf_counter() - t0


async def through_route(session: aiohttp.ClientSession, url: str, data: bytes) -> float:
    t0 = time.perf_counter()
    body = {"inputs": {"mask": base64.b64encode(data).decode()}}
    async with session.post(f"{url}/bridge/v1/workflows/{NAME}", json=body, params={"wait": "120"}) as r:
        record = await r.json()
    assert record.get("status") == "succeeded", record
    async with session.get(record["outputs"][0]["url"]) as r:
        assert r.status == 200 and await r.read()
    return time.perf_counter() - t0


async def paired(comfy_url: str, bridge_url: str, n: int, concurrency: int, offset: int) -> tuple[list, list]:
    sem = asyncio.Semaphore(concurrency)
    timeout = aiohttp.ClientTimeout(total=600)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        bridge_overhead.DirectComfy(session, comfy_url) as comfy,
    ):

        async def pair(i: int) -> tuple[float, float]:
            async with sem:
                a = await through_route(session, bridge_url, picture(offset + 2 * i))
                b = await by_hand(comfy, picture(offset + 2 * i + 1))
                return a, b

        results = await asyncio.gather(*(pair(i) for i in range(n)))
    return [a for a, _ in results], [b for _, b in results]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n1", type=int, default=30)
    ap.add_argument("--n8", type=int, default=80)
    args = ap.parse_args()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="ib-bench-workflows-"))
    folder = tmp / "workflows"
    folder.mkdir()
    (folder / f"{NAME}.json").write_text(json.dumps(WORKFLOW))
    os.environ["IB_WORKFLOWS_DIR"] = str(folder)
    with bridge_overhead.bridge_on_comfy(tmp) as (comfy, bridge):
        asyncio.run(paired(comfy.url, bridge.url, 2, 1, 10_000))  # warm-up both
        offset = 0
        for concurrency, n in ((1, args.n1), (8, args.n8)):
            route, by_hand = asyncio.run(paired(comfy.url, bridge.url, n, concurrency, offset))
            offset += 2 * n
            ratios = [a / b for a, b in zip(route, by_hand, strict=True)]
            print(
                f"concurrency {concurrency}, n={n}: route median {statistics.median(route) * 1000:.1f} ms, "
                f"by hand median {statistics.median(by_hand) * 1000:.1f} ms, "
                f"paired ratio route/by-hand median {statistics.median(ratios):.2f}"
            )


if __name__ == "__main__":
    main()
