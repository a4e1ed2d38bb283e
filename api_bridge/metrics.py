"""Prometheus metrics of one bridge app (its own registry, so several apps can coexist)."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self):
        self.registry = CollectorRegistry()
        self.queue_depth = Gauge("bridge_queue_depth", "Tasks queued or running", registry=self.registry)
        self.latency = Histogram(
            "bridge_task_seconds",
            "Task latency by kind and stage",
            ["kind", "stage"],
            registry=self.registry,
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
        )
        self.failures = Counter(
            "bridge_task_failures_total", "Failed tasks by kind and error", ["kind", "error"], registry=self.registry
        )
        self.completed = Counter(
            "bridge_tasks_total", "Finished tasks by kind and status", ["kind", "status"], registry=self.registry
        )
