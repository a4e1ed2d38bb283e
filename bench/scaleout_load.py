"""The full load run of the scale-out issue on the local deployment (scripts/cluster.py).

1,000 weight-free erase tasks at concurrency 32 spread over 3 bridge replicas and 2 ComfyUI workers on a
shared Redis, each task waited for on another replica than the one that took it. Mid-run (by default) a
replica is SIGKILLed at 30 % of the tasks done, a ComfyUI worker at 55 %, and Redis is SIGKILLed and
restarted from its AOF at 80 %. Then: every accepted task must be final and succeeded (none lost), no
worker may have logged a task as finished twice (counted from the workers' own log lines, not only from
the records), every accepted task must be logged once, and a surviving replica must serve every result.

    .venv/bin/python bench/scaleout_load.py [--tasks 1000] [--concurrency 32] [--replicas 3] [--no-faults]
"""

import argparse
import asyncio
import json
import pathlib
import signal
import sys
import tempfile
import time

import httpx

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from skimage import data  # noqa: E402

from scripts.cluster import Cluster  # noqa: E402
from support.bridge import square_mask  # noqa: E402
from support.cluster_load import erase_task, logged, run_load, upload, verify  # noqa: E402
from support.comfy_server import prepare_base_dir  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", type=int, default=1000)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--replicas", type=int, default=3)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--no-faults", action="store_true", help="no kills, no Redis restart")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="ib-load-") as tmp:
        cluster = Cluster(
            pathlib.Path(tmp),
            replicas=args.replicas,
            workers=args.workers,
            comfy_args=lambda i, folder: ["--base-directory", str(prepare_base_dir(folder))],
            bridge_env={"IB_LEASE": "5", "IB_MAX_ATTEMPTS": "4", "IB_POLL_INTERVAL": "0.5", "IB_QUEUE_CAP": "5000"},
        )
        t0 = time.perf_counter()
        cluster.start()
        print(f"cluster up in {time.perf_counter() - t0:.1f} s\n{cluster.describe()}", flush=True)
        try:
            return run(cluster, args)
        finally:
            cluster.stop()


def run(cluster: Cluster, args) -> int:
    size = 96
    url = cluster.replica_urls[0]
    image = upload(url, Image.fromarray(data.chelsea()).resize((size, size)))
    mask = upload(url, square_mask((size, size), (24, 24, 72, 72)))
    faults = [] if args.no_faults else [
        (int(args.tasks * 0.30), "SIGKILL replica 0", lambda: cluster.kill_replica(0, signal.SIGKILL)),
        (int(args.tasks * 0.55), "SIGKILL ComfyUI worker 0", lambda: cluster.kill_worker(0, signal.SIGKILL)),
        (int(args.tasks * 0.80), "SIGKILL + restart Redis", lambda: cluster.redis.restart(hard=True)),
    ]  # fmt: skip
    events = []

    async def on_finished(count: int) -> None:
        for at, what, act in faults:
            if count == at:
                events.append((count, what, time.strftime("%H:%M:%S")))
                print(f"  {count} done: {what}", flush=True)
                await asyncio.to_thread(act)

    result = asyncio.run(run_load(cluster.replica_urls, erase_task(image, mask), args.tasks, args.concurrency,
                                  on_finished=on_finished, deadline_s=3600))  # fmt: skip
    survivor = cluster.replica_urls[-1]
    logs = [b.log_path for b in cluster.bridges]
    killed = frozenset() if args.no_faults else frozenset({cluster.replica_id(0)})
    report = verify(result, logs, survivor, killed)
    metrics = httpx.get(survivor + "/metrics", timeout=10).text
    summary = {
        "tasks": args.tasks,
        "concurrency": args.concurrency,
        "replicas": args.replicas,
        "workers": args.workers,
        "accepted": len(result.accepted),
        "statuses": report["statuses"],
        "lost": len(report["lost"]),
        "finished_twice": len(report["twice"]),
        "accepted_not_logged_once": len(report["unlogged"]),
        "ended_by_the_killed_replica_before_its_log_line": len(report["cut_off"]),
        "unfetchable_from_survivor": len(report["unfetchable"]),
        "taken_over_after_lease": logged(logs, "; taken over by "),
        "retried_client_calls": result.retried,
        "seconds": round(result.seconds, 1),
        "tasks_per_s": round(len(result.final) / result.seconds, 2),
        "faults": events,
        "errors": report["errors"],
    }
    print(json.dumps(summary, indent=2))
    print("\n".join(line for line in metrics.splitlines() if line.startswith(("ib_queue_depth", "ib_tasks_running"))))
    ok = (
        summary["lost"] == summary["finished_twice"] == summary["accepted_not_logged_once"] == 0
        and summary["unfetchable_from_survivor"] == 0
        and summary["accepted"] == args.tasks
        and report["statuses"] == {"succeeded": args.tasks}
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
