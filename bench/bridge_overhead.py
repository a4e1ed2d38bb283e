"""Bridge overhead: the same graph posted straight to ComfyUI /prompt vs through the bridge.

Starts one real ComfyUI (temp base folder) and the bridge (``python -m api_bridge`` in remote
mode, its own process, like a deployment), then measures per-request latency (submit → result image bytes in hand) at
concurrency 1 and 16, prints medians and the bridge/direct ratio, and finally runs 500
tasks at concurrency 32 through the bridge and counts lost ones (must be 0).

    .venv/bin/python bench/bridge_overhead.py [--n1 40] [--n16 160] [--flood 500]
"""

import argparse
import asyncio
import contextlib
import pathlib
import statistics
import sys
import tempfile
import time
import uuid

import aiohttp

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from api_bridge.graph.recipes import build_graph  # noqa: E402
from api_bridge.tasks import parse_task  # noqa: E402
from support.bridge import png_bytes, square_mask  # noqa: E402
from support.comfy_server import ComfyServer  # noqa: E402
from support.test_checkpoints import place_test_checkpoints  # noqa: E402


def task_json(ref: dict, i: int) -> dict:
    # A different grow radius per request, so ComfyUI's cache never answers for either side.
    return {"kind": "adjust_mask", "mask": {"image": ref}, "adjust": {"grow": 1 + i % 60}}


async def direct_one(session, url, client_id, waiters, prompt) -> float:
    t0 = time.perf_counter()
    prompt_id = uuid.uuid4().hex
    done = asyncio.get_running_loop().create_future()
    waiters[prompt_id] = done
    async with session.post(
        url + "/prompt", json={"prompt": prompt, "client_id": client_id, "prompt_id": prompt_id}
    ) as r:
        assert r.status == 200, await r.text()
    await done
    async with session.get(f"{url}/history/{prompt_id}") as r:
        entry = (await r.json())[prompt_id]
    images = [im for out in entry["outputs"].values() for im in out.get("images", [])]
    async with session.get(url + "/view", params={k: images[0][k] for k in ("filename", "subfolder", "type")}) as r:
        assert r.status == 200 and await r.read()
    return time.perf_counter() - t0


class DirectComfy:
    """A ComfyUI client as a careful user writes one: one websocket for every prompt, /history, /view."""

    def __init__(self, session: aiohttp.ClientSession, url: str):
        self.session, self.url = session, url
        self.client_id = uuid.uuid4().hex
        self.waiters: dict[str, asyncio.Future] = {}

    async def __aenter__(self) -> "DirectComfy":
        self.ws = await self.session.ws_connect(f"{self.url.replace('http', 'ws')}/ws?clientId={self.client_id}")
        self.listener = asyncio.create_task(self._listen())
        return self

    async def __aexit__(self, *exc) -> None:
        self.listener.cancel()
        await self.ws.close()

    async def _listen(self) -> None:
        async for msg in self.ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            m = msg.json()
            d = m.get("data") or {}
            if m.get("type") == "executing" and d.get("node") is None and d.get("prompt_id") in self.waiters:
                self.waiters.pop(d["prompt_id"]).set_result(True)

    async def run(self, prompt: dict) -> float:
        return await direct_one(self.session, self.url, self.client_id, self.waiters, prompt)


async def direct_run(url: str, prompts: list[dict], concurrency: int) -> list[float]:
    async with aiohttp.ClientSession() as session, DirectComfy(session, url) as comfy:
        sem = asyncio.Semaphore(concurrency)

        async def one(p):
            async with sem:
                return await comfy.run(p)

        return list(await asyncio.gather(*(one(p) for p in prompts)))


async def bridge_run(url: str, tasks: list[dict], concurrency: int) -> tuple[list[float], list[str]]:
    sem = asyncio.Semaphore(concurrency)
    statuses: list[str] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=900)) as session:

        async def one(t):
            async with sem:
                t0 = time.perf_counter()
                async with session.post(url + "/bridge/v1/tasks", json={"task": t}) as r:
                    assert r.status == 202, await r.text()
                    tid = (await r.json())["id"]
                async with session.get(f"{url}/bridge/v1/tasks/{tid}", params={"wait": "600"}) as r:
                    rec = await r.json()
                statuses.append(rec["status"])
                if rec["status"] != "succeeded":
                    print("   not succeeded:", rec["status"], rec.get("error"))
                if rec["status"] == "succeeded":
                    async with session.get(rec["outputs"][0]["url"]) as r:
                        assert r.status == 200 and await r.read()
                return time.perf_counter() - t0

        times = await asyncio.gather(*(one(t) for t in tasks))
    return list(times), statuses


def summary(name: str, times: list[float], wall: float) -> float:
    med = statistics.median(times)
    print(
        f"  {name:7s} n={len(times):4d} median {med * 1000:7.1f} ms"
        f"  p90 {sorted(times)[int(0.9 * len(times))] * 1000:7.1f} ms"
        f"  throughput {len(times) / wall:6.1f}/s"
    )
    return med


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n1", type=int, default=40)
    ap.add_argument("--n16", type=int, default=160)
    ap.add_argument("--flood", type=int, default=500)
    args = ap.parse_args()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="ib-bench-"))
    with bridge_on_comfy(tmp) as (comfy, bridge):
        import httpx

        with httpx.Client(base_url=bridge.url, timeout=60) as c:
            ref = c.post("/bridge/v1/images", files={"file": ("m.png", png_bytes(square_mask()), "image/png")}).json()
        # The direct side uses the very graph the recipe builds, on its own upload of the input (the bridge
        # removes its uploads after each run).
        oi = asyncio.run(_object_info(comfy.url))
        built = [build_graph(parse_task(task_json(ref, i)), oi) for i in range(60)]
        for graph in built:
            for node in graph.prompt.values():
                if node["class_type"] == "LoadImage":
                    node["inputs"]["image"] = f"bench-direct/{ref['blob']}"
        httpx.post(
            comfy.url + "/upload/image",
            files={"image": (ref["blob"], png_bytes(square_mask()), "image/png")},
            data={"subfolder": "bench-direct", "type": "input", "overwrite": "true"},
        ).raise_for_status()
        for conc, n in ((1, args.n1), (16, args.n16)):
            print(f"concurrency {conc}:")
            # warm-up both
            asyncio.run(direct_run(comfy.url, [built[0].prompt], 1))
            asyncio.run(bridge_run(bridge.url, [task_json(ref, 0)], 1))
            t0 = time.perf_counter()
            d = asyncio.run(direct_run(comfy.url, [built[i % 60].prompt for i in range(n)], conc))
            dw = time.perf_counter() - t0
            t0 = time.perf_counter()
            b, st = asyncio.run(bridge_run(bridge.url, [task_json(ref, i) for i in range(n)], conc))
            bw = time.perf_counter() - t0
            md, mb = summary("direct", d, dw), summary("bridge", b, bw)
            print(
                f"  latency ratio bridge/direct (median): {mb / md:.2f}   throughput ratio: {(n / bw) / (n / dw):.2f}"
            )
        print(f"flood: {args.flood} tasks at concurrency 32 through the bridge")
        t0 = time.perf_counter()
        times, st = asyncio.run(bridge_run(bridge.url, [task_json(ref, i) for i in range(args.flood)], 32))
        wall = time.perf_counter() - t0
        summary("bridge", times, wall)
        ok = st.count("succeeded")
        print(f"  succeeded {ok}/{args.flood}, lost {args.flood - len(st)}, failed {len(st) - ok}, wall {wall:.1f} s")


class _Proc:
    def __init__(self, proc, url):
        self.proc, self.url = proc, url


@contextlib.contextmanager
def bridge_on_comfy(folder: pathlib.Path, *, checkpoints: bool = False):
    """A real ComfyUI in ``folder/comfy`` (with the reduced test checkpoints when asked) and the bridge as its own
    process on it (``folder/bridge``): yields (comfy, bridge); the bridge is stopped, then ComfyUI."""
    server = ComfyServer(folder / "comfy")
    if checkpoints:
        place_test_checkpoints(server.models_dir / "checkpoints")
    with server as comfy:
        bridge = start_bridge(folder / "bridge", comfy.url)
        try:
            yield comfy, bridge
        finally:
            bridge.proc.terminate()
            bridge.proc.wait(30)


def start_bridge(data_dir: pathlib.Path, comfy_url: str) -> _Proc:
    import os
    import socket
    import subprocess

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data_dir.mkdir(parents=True)
    cmd = [
        sys.executable,
        "-m",
        "api_bridge",
        "--comfy-url",
        comfy_url,
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--workers",
        "16",
        "--queue-cap",
        "1024",
    ]
    env = dict(os.environ, IB_POLL_INTERVAL="0.5", IB_LOG_LEVEL="WARNING")
    log = (data_dir / "bridge.log").open("ab")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(url + "/ready", timeout=2).status_code == 200:
                return _Proc(proc, url)
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("bridge did not start")


async def _object_info(url):
    from api_bridge.graph import ObjectInfo

    async with aiohttp.ClientSession() as s, s.get(url + "/object_info") as r:
        return ObjectInfo(await r.json())


if __name__ == "__main__":
    main()
