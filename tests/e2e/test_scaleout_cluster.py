"""The local deployment (scripts/cluster.py) under load and faults: a real redis-server, 2 ComfyUI workers
pinned to a core each, 2 bridge replicas sharing Redis and a results folder.

Reduced runs of the issue's load tests (the 1,000-task run is ``bench/scaleout_load.py``): 100 tasks with a
replica and a worker SIGKILLed mid-run, and a Redis SIGKILL + restart (AOF, fsync always) mid-run. Nothing
accepted is lost, nothing is finished twice — counted from the workers' own log lines, not only from the
records — and every result is served by a surviving replica.
"""

import asyncio
import signal
import time

import httpx
import pytest
from PIL import Image
from skimage import data

from scripts.cluster import Cluster
from support.bridge import square_mask
from support.cluster_load import erase_task, finishes_logged, logged, run_load, upload, verify
from support.comfy_server import prepare_base_dir

SIZE = 96


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(
        tmp_path_factory.mktemp("cluster"),
        replicas=2,
        workers=2,
        comfy_args=lambda i, folder: ["--base-directory", str(prepare_base_dir(folder))],
        bridge_env={
            "IB_LEASE": "3",  # a dead replica's tasks are taken over after 3 s
            "IB_MAX_ATTEMPTS": "4",
            "IB_POLL_INTERVAL": "0.5",
            "IB_WORKERS": "4",
            "IB_COMFY_CAPACITY": "2",
            "IB_QUEUE_CAP": "1000",
        },
    )
    try:
        c.start()
        yield c
    finally:
        c.stop()


@pytest.fixture(scope="module")
def make_task(cluster):
    image = Image.fromarray(data.chelsea()).resize((SIZE, SIZE))
    mask = square_mask((SIZE, SIZE), (24, 24, 72, 72))
    url = cluster.replica_urls[0]
    return erase_task(upload(url, image), upload(url, mask))


def logs(cluster):
    return [p.log_path for p in cluster.bridges]


def check_outcome(cluster, result, n, survivor=None, killed=frozenset()):
    report = verify(result, logs(cluster), survivor, killed)
    assert len(result.accepted) == n and not report["lost"], f"accepted tasks lost: {report['lost'][:5]}"
    assert report["statuses"] == {"succeeded": n}, report
    assert not report["twice"], f"finished twice (workers' logs): {report['twice']}"
    assert not report["unlogged"], f"no worker says it finished {report['unlogged'][:5]}"
    assert not report["unfetchable"], f"results the surviving replica cannot serve: {report['unfetchable'][:5]}"


def test_100_tasks_with_a_replica_and_a_worker_killed_mid_run(cluster, make_task):
    killed = {}

    async def on_finished(count):
        if count == 20 and "replica" not in killed:
            killed["replica"] = True
            await asyncio.to_thread(kill_busy_replica, cluster, 0)
        if count == 45 and "worker" not in killed:
            killed["worker"] = True
            await asyncio.to_thread(kill_busy_worker, cluster, 0)

    try:
        result = asyncio.run(run_load(cluster.replica_urls, make_task, 100, 16, on_finished=on_finished))
        # Every result from the surviving replica, whoever accepted or ran it (one shared results folder).
        check_outcome(cluster, result, 100, survivor=cluster.replica_urls[1], killed=frozenset({cluster.replica_id(0)}))
        assert killed == {"replica": True, "worker": True}
        # The killed replica held running tasks: the other took them over when their lease lapsed.
        assert logged(logs(cluster)[1:], "taken over by replica-1/") >= 1
        ran_on = {r["worker"].split("/")[0] for r in result.final.values()}
        assert ran_on == {"replica-0", "replica-1"}
        # The killed worker's running prompts failed over: retried on the other worker.
        assert logged(logs(cluster), f"unavailable: ComfyUI {cluster.worker_urls[0]}") >= 1
    finally:  # the next test needs both replicas; one worker is enough for it
        if not cluster.bridges[0].alive:
            cluster.start_replica(0)


def kill_busy_replica(cluster, i):
    """SIGKILL replica i while it runs tasks (so there is something to take over: with two in hand, at least one
    is past its claim and started, not in the few milliseconds between)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if httpx.get(cluster.replica_urls[i] + "/health", timeout=2).json()["running"] >= 2:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    cluster.kill_replica(i, signal.SIGKILL)


def finished_counted(cluster) -> float:
    """``ib_tasks_finished_total`` summed over the replicas: each counts its own finishes."""
    total = 0.0
    for url in cluster.replica_urls:
        for line in httpx.get(url + "/metrics", timeout=10).text.splitlines():
            if line.startswith("ib_tasks_finished_total{"):
                total += float(line.rsplit(" ", 1)[1])
    return total


def kill_busy_worker(cluster, i):
    """SIGKILL ComfyUI worker i while it runs a prompt (least-loaded routing may leave a slow one idle)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(cluster.worker_urls[i] + "/queue", timeout=2).json()["queue_running"]:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    cluster.kill_worker(i, signal.SIGKILL)


def settled(cluster, timeout=60.0) -> None:
    """Until the shared queue is empty and nothing runs. A submission cut off by the replica SIGKILL may have
    been stored before the replica died (the client never heard, and sent it again): it runs too."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health = httpx.get(cluster.replica_urls[-1] + "/health", timeout=10).json()
        if health["queued"] == 0 and health["running_all"] == 0:
            return
        time.sleep(0.2)
    raise AssertionError(f"the cluster did not settle: {health}")


def test_a_redis_restart_loses_nothing_accepted(cluster, make_task):
    settled(cluster)
    before = sum(finishes_logged(logs(cluster)).values())
    counted_before = finished_counted(cluster)
    restarted = {}

    async def on_finished(count):
        if count == 10 and not restarted:
            restarted["at"] = time.monotonic()
            await asyncio.to_thread(cluster.redis.restart, hard=True)  # SIGKILL: only the AOF keeps the data

    result = asyncio.run(run_load(cluster.replica_urls, make_task, 40, 8, on_finished=on_finished))
    assert restarted
    check_outcome(cluster, result, 40)
    assert sum(finishes_logged(logs(cluster)).values()) == before + 40
    assert finished_counted(cluster) == counted_before + 40  # the replicas' own counters agree
    with httpx.Client(timeout=30) as c:  # both replicas reconnected; the shared queue is empty
        assert [c.get(u + "/ready").status_code for u in cluster.replica_urls] == [200, 200]
        depths = [line for u in cluster.replica_urls for line in c.get(u + "/metrics").text.splitlines()]
        assert [d for d in depths if d.startswith("ib_queue_depth ")] == ["ib_queue_depth 0.0"] * 2
