"""Quality reports become Prometheus histograms labelled by task kind (read back from the registry)."""

from prometheus_client import REGISTRY

from api_bridge.metrics import QUALITY, observe_quality

NAMES = {field: f"ib_quality_{field}" for field in QUALITY}


def sample(name: str, kind: str, suffix: str = "_count", **labels) -> float:
    return REGISTRY.get_sample_value(f"{name}{suffix}", {"kind": kind, **labels}) or 0.0


def test_each_report_field_is_observed_under_its_kind_and_nulls_are_skipped():
    kind = "unit-test-kind"
    assert set(QUALITY) == {"max_abs_outside", "seam_delta_e", "seam_gradient_jump", "coverage", "regions"}
    before = {field: sample(name, kind) for field, name in NAMES.items()}
    reports = [
        {"max_abs_outside": 0.0, "seam_delta_e": 1.5, "seam_gradient_jump": 0.2, "coverage": 0.1, "regions": 2},
        {"max_abs_outside": 0.0, "seam_delta_e": None, "seam_gradient_jump": None, "coverage": 0.0, "regions": 0},
        "not a report",
    ]
    observe_quality(kind, reports)
    counts = {field: sample(name, kind) - before[field] for field, name in NAMES.items()}
    assert counts == {"max_abs_outside": 2, "seam_delta_e": 1, "seam_gradient_jump": 1, "coverage": 2, "regions": 2}
    assert sample("ib_quality_max_abs_outside", kind, "_bucket", le="0.0") == 2, "both in the 'untouched' bucket"
    assert sample("ib_quality_seam_delta_e", kind, "_sum") == 1.5
    observe_quality(kind, None)  # a task without a report (e.g. a mask task) observes nothing
    assert sample("ib_quality_regions", kind) - before["regions"] == 2
