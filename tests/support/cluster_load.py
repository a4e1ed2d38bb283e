"""Load on a running cluster (scripts/cluster.py): N tasks at concurrency C spread over the replicas, each
waited for on another replica than the one that took it; replicas that go away are skipped, answers 503
(store restarting) and 429 are retried. Outcomes are checked from both sides: the records, and what the
workers themselves logged (each replica logs one JSON line per task it finished)."""

from __future__ import annotations

import asyncio
import collections
import io
import json
import pathlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
from PIL import Image

FINAL = {"succeeded", "failed", "cancelled"}
FINISH_LINES = {f"task {s}" for s in FINAL}


def png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def upload(url: str, image: Image.Image) -> dict:
    r = httpx.post(url + "/bridge/v1/images", files={"file": ("x.png", png(image), "image/png")}, timeout=60)
    r.raise_for_status()
    return r.json()


def erase_task(image_ref: dict, mask_ref: dict, engine: str = "telea") -> Callable[[int], dict]:
    """Task i: the weight-free erase with its own seed (so ComfyUI's cache never answers for it)."""

    def make(i: int) -> dict:
        return {
            "kind": "erase",
            "image": image_ref,
            "mask": {"image": mask_ref},
            "erase": {"engine": engine},
            "seed": 1000 + i,
        }

    return make


@dataclass
class LoadResult:
    accepted: dict[str, str] = field(default_factory=dict)  # task id -> replica that answered 202
    final: dict[str, dict] = field(default_factory=dict)  # task id -> its finished record
    retried: int = 0  # submissions or waits answered 429/503 or cut off, then retried elsewhere
    seconds: float = 0.0

    @property
    def statuses(self) -> collections.Counter:
        return collections.Counter(r["status"] for r in self.final.values())


class Replicas:
    """Round-robin over the replicas, skipping for a while one that did not answer."""

    def __init__(self, urls: list[str]):
        self.urls = list(urls)
        self._down_until: dict[str, float] = {}

    def pick(self, n: int) -> str:
        now = time.monotonic()
        up = [u for u in self.urls if self._down_until.get(u, 0) < now] or self.urls
        return up[n % len(up)]

    def down(self, url: str, for_s: float = 3.0) -> None:
        self._down_until[url] = time.monotonic() + for_s


async def run_load(
    replica_urls: list[str],
    make_task: Callable[[int], dict],
    n: int,
    concurrency: int,
    *,
    on_finished: Callable[[int], Awaitable[None] | None] | None = None,
    deadline_s: float = 600.0,
) -> LoadResult:
    """Submit task i to replica i (mod), wait for it on replica i+1; ``on_finished(count)`` after each final."""
    result = LoadResult()
    replicas = Replicas(replica_urls)
    sem = asyncio.Semaphore(concurrency)
    stop_at = time.monotonic() + deadline_s
    done = 0
    t0 = time.perf_counter()

    async def call(client: httpx.AsyncClient, start: int, method: str, path: str, **kw) -> httpx.Response:
        attempt = 0
        while time.monotonic() < stop_at:
            url = replicas.pick(start + attempt)
            attempt += 1
            try:
                r = await client.request(method, url + path, **kw)
            except httpx.TransportError:
                replicas.down(url)
                result.retried += 1
                continue
            if r.status_code in (429, 503):
                result.retried += 1
                await asyncio.sleep(0.3)
                continue
            return r
        raise TimeoutError(f"{method} {path}: no replica answered within the deadline")

    async def one(client: httpx.AsyncClient, i: int) -> None:
        nonlocal done
        async with sem:
            r = await call(client, i, "POST", "/bridge/v1/tasks", json={"task": make_task(i)})
            assert r.status_code == 202, r.text
            task_id = r.json()["id"]
            result.accepted[task_id] = str(r.request.url).split("/bridge")[0]
            while True:
                r = await call(client, i + 1, "GET", f"/bridge/v1/tasks/{task_id}", params={"wait": 20})
                assert r.status_code == 200, r.text
                record = r.json()
                if record["status"] in FINAL:
                    result.final[task_id] = record
                    break
        done += 1
        if on_finished is not None:
            hook = on_finished(done)
            if asyncio.iscoroutine(hook):
                await hook

    async with httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=3.0)) as client:
        await asyncio.gather(*(one(client, i) for i in range(n)))
    result.seconds = time.perf_counter() - t0
    return result


def finishes_logged(log_paths: list[pathlib.Path]) -> collections.Counter:
    """How many times the workers say they finished each task (one JSON log line per committed end)."""
    counts: collections.Counter = collections.Counter()
    for path in log_paths:
        if not path.exists():
            continue
        for line in path.read_text(errors="replace").splitlines():
            if not line.startswith("{"):
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("msg") in FINISH_LINES and entry.get("task_id"):
                counts[entry["task_id"]] += 1
    return counts


def logged(log_paths: list[pathlib.Path], text: str) -> int:
    """Log lines (of every replica) containing ``text``."""
    texts = [path.read_text(errors="replace") for path in log_paths if path.exists()]
    return sum(text_.count(text) for text_ in texts)


def verify(
    result: LoadResult, log_paths: list[pathlib.Path], survivor: str | None = None, killed: frozenset[str] = frozenset()
) -> dict:
    """What went wrong, if anything: accepted tasks with no final record (lost), tasks some worker logged as
    finished more than once, accepted tasks no worker logged, and (given a surviving replica) results it
    could not serve. A replica in ``killed`` (SIGKILLed ids) may commit a task's end and die before it writes
    the line: a task its worker finished with no line anywhere is listed apart (``cut_off``), not as unlogged."""
    counts = finishes_logged(log_paths)

    def cut_off(task_id: str) -> bool:
        worker = (result.final.get(task_id) or {}).get("worker") or ""
        return counts[task_id] == 0 and worker.split("/", 1)[0] in killed

    report = {
        "lost": sorted(set(result.accepted) - set(result.final)),
        "twice": {t: c for t, c in counts.items() if c > 1},
        "unlogged": sorted(t for t in result.accepted if counts[t] != 1 and not cut_off(t)),
        "cut_off": sorted(t for t in result.accepted if cut_off(t)),
        "statuses": dict(result.statuses),
        "errors": [r["error"] for r in result.final.values() if r["status"] != "succeeded"][:5],
        "unfetchable": [],
    }
    if survivor:
        with httpx.Client(timeout=30) as c:
            for record in result.final.values():
                for out in record["outputs"]:
                    r = c.get(f"{survivor}/bridge/v1/outputs/{out['key']}")
                    if r.status_code != 200 or not r.content.startswith(b"\x89PNG"):
                        report["unfetchable"].append(out["key"])
    return report
