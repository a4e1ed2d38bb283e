"""Prometheus metrics of the bridge (served at /metrics)."""

from prometheus_client import Counter, Gauge, Histogram

_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)

QUEUE_DEPTH = Gauge("ib_queue_depth", "Tasks queued, not yet running")
RUNNING = Gauge("ib_tasks_running", "Tasks running on ComfyUI")
SUBMITTED = Counter("ib_tasks_submitted_total", "Tasks accepted", ["kind", "contract"])
REJECTED = Counter("ib_tasks_rejected_total", "Tasks refused because the queue was full", ["contract"])
FAILURES = Counter("ib_task_failures_total", "Tasks that ended failed or cancelled", ["kind", "code"])
TASK_LATENCY = Histogram("ib_task_seconds", "Run time from start to finish", ["kind", "status"], buckets=_BUCKETS)
STAGE_LATENCY = Histogram(
    "ib_task_stage_seconds", "Time per stage (queued, upload, run, fetch, total)", ["kind", "stage"], buckets=_BUCKETS
)
WEBHOOK_FAILURES = Counter("ib_webhook_failures_total", "Webhook deliveries given up after all retries")
COMFY_UP = Gauge("ib_comfyui_up", "1 when the ComfyUI server answers", ["server"])

# The stitch's quality report of every inpaint / outpaint / erase result (record.info["quality"]), so an
# operator sees drift or seams without looking at images. max_abs_outside must stay in the 0 bucket.
QUALITY = {
    "max_abs_outside": Histogram(
        "ib_quality_max_abs_outside",
        "Largest change outside the blend band per result (0..1; must be 0)",
        ["kind"],
        buckets=(0.0, 1 / 255, 2 / 255, 4 / 255, 16 / 255, 0.25, 0.5, 1.0),
    ),
    "seam_delta_e": Histogram(
        "ib_quality_seam_delta_e",
        "Mean CIEDE2000 between result and original on the 4 px ring at the blend border, per result",
        ["kind"],
        buckets=(0.5, 1, 2, 3, 5, 8, 12, 20, 40),
    ),
    "seam_gradient_jump": Histogram(
        "ib_quality_seam_gradient_jump",
        "Mean extra L* gradient of the result over the original on the seam ring, per result",
        ["kind"],
        buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
    ),
    "coverage": Histogram(
        "ib_quality_coverage",
        "Fraction of the image repainted, per result",
        ["kind"],
        buckets=(0.001, 0.01, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0),
    ),
    "regions": Histogram(
        "ib_quality_regions",
        "Separate regions repainted, per result",
        ["kind"],
        buckets=(0, 1, 2, 3, 4, 6, 8, 16, 32, 64),
    ),
}


def observe_quality(kind: str, reports) -> None:
    """Each report's numbers into the quality histograms (missing or null fields skipped)."""
    for report in reports or ():
        if not isinstance(report, dict):
            continue
        for field, histogram in QUALITY.items():
            value = report.get(field)
            if isinstance(value, int | float) and not isinstance(value, bool):
                histogram.labels(kind=kind).observe(value)
