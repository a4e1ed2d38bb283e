"""Throughput with 2 ComfyUI workers vs 1 on the weight-free erase task (goal: at least 1.8x).

One local deployment (scripts/cluster.py): Redis and two ComfyUI workers, each pinned to its own core
with ``taskset`` and ``OMP_NUM_THREADS=1``. Two bridges on it, each with its own Redis key prefix (its
own queue): "one" sends tasks to worker 0 only, "two" to both. Batches of N erase tasks (exemplar fill,
a distinct seed each, so no cache answers) go to one bridge then the other, in turn, R times; each
batch's throughput is tasks / wall time from the first submission to the last result. Prints each
pair, the medians and the median of the pairwise ratios two/one.

    .venv/bin/python bench/scaleout_throughput.py [--tasks 24] [--rounds 5] [--size 256] [--concurrency 8]
"""

import argparse
import asyncio
import collections
import json
import os
import pathlib
import statistics
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from skimage import data  # noqa: E402

from scripts.cluster import Cluster  # noqa: E402
from scripts.redis_server import free_port  # noqa: E402
from support.bridge import square_mask  # noqa: E402
from support.cluster_load import erase_task, run_load, upload  # noqa: E402
from support.comfy_server import prepare_base_dir  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", type=int, default=24, help="tasks per batch")
    p.add_argument("--rounds", type=int, default=5, help="batch pairs (one, two)")
    p.add_argument("--size", type=int, default=256, help="image side (px)")
    p.add_argument("--concurrency", type=int, default=8)
    args = p.parse_args()
    print(f"{os.cpu_count()} cores; each ComfyUI pinned to one; OMP_NUM_THREADS=1 in the workers", flush=True)
    with tempfile.TemporaryDirectory(prefix="ib-thr-") as tmp:
        common = {"IB_COMFY_CAPACITY": "2", "IB_WORKERS": "8", "IB_POLL_INTERVAL": "0.25", "IB_QUEUE_CAP": "1000"}
        cluster = Cluster(
            pathlib.Path(tmp),
            replicas=0,
            workers=2,
            comfy_args=lambda i, folder: ["--base-directory", str(prepare_base_dir(folder))],
        ).start()
        try:
            bridges = {}
            for name, urls in (("one", cluster.worker_urls[:1]), ("two", cluster.worker_urls)):
                cluster.bridge_env = {**common, "IB_REDIS_PREFIX": f"thr-{name}", "IB_COMFY_URLS": json.dumps(urls)}
                cluster.bridges.append(cluster._bridge_proc(len(cluster.bridges), free_port()).start())
                cluster.bridges[-1].wait_ready(120)
                bridges[name] = cluster.bridges[-1].url
            pids = {name: cluster.bridges[i].pid for i, name in enumerate(bridges)}
            return measure(bridges, [p.pid for p in cluster.comfy], pids, args)
        finally:
            cluster.stop()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(bridges: dict[str, str], worker_pids: list[int], bridge_pids: dict[str, int], args) -> int:
    img = Image.fromarray(data.astronaut()).resize((args.size, args.size))
    s = args.size
    mask = square_mask((s, s), (s // 4, s // 3, 3 * s // 4, 2 * s // 3))
    tasks = {name: erase_task(upload(url, img), upload(url, mask), engine="exemplar") for name, url in bridges.items()}
    seed = 0
    spread: dict[str, collections.Counter] = {}  # ComfyUI port -> tasks it ran, in the last batch

    busy: dict[str, float] = {}  # the workers' CPU seconds per wall second in the last batch (at most 1 each)
    per_task: dict[str, tuple[float, float]] = {}  # CPU seconds per task: the workers', the bridge's

    def batch(name: str) -> float:
        nonlocal seed
        base = seed
        seed += args.tasks
        cpu0 = sum(cpu_seconds(pid) for pid in worker_pids)
        bridge0 = cpu_seconds(bridge_pids[name])
        result = asyncio.run(run_load([bridges[name]], lambda i: tasks[name](base + i), args.tasks, args.concurrency))
        assert result.statuses == {"succeeded": args.tasks}, result.statuses
        worker_cpu = sum(cpu_seconds(pid) for pid in worker_pids) - cpu0
        busy[name] = worker_cpu / result.seconds
        per_task[name] = (worker_cpu / args.tasks, (cpu_seconds(bridge_pids[name]) - bridge0) / args.tasks)
        spread[name] = collections.Counter(r["server"].rsplit(":", 1)[1] for r in result.final.values())
        return args.tasks / result.seconds

    batch("one")  # warm-up: both workers load the pack's code paths once
    batch("two")
    pairs = []
    for r in range(args.rounds):
        one, two = batch("one"), batch("two")
        pairs.append((one, two))
        ran = ", ".join(f"{n}: {dict(c)}, workers busy {busy[n]:.2f} cores" for n, c in spread.items())
        print(f"round {r + 1}: 1 worker {one:.2f} tasks/s, 2 workers {two:.2f} tasks/s, ratio {two / one:.2f} ({ran})")
        cpu = ", ".join(f"{n}: ComfyUI {w * 1000:.0f} ms, bridge {b * 1000:.0f} ms" for n, (w, b) in per_task.items())
        load = os.getloadavg()[0]
        print(f"         CPU per task {cpu}; load average {load:.1f} (other processes share these cores)", flush=True)
    ones, twos = [p[0] for p in pairs], [p[1] for p in pairs]
    ratio = statistics.median(t / o for o, t in pairs)
    print(
        f"median: 1 worker {statistics.median(ones):.2f} tasks/s, 2 workers {statistics.median(twos):.2f} tasks/s; "
        f"median pairwise ratio {ratio:.2f} (goal >= 1.8); {args.tasks} tasks a batch, {args.size}^2 exemplar erase",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
