"""Both APIs' answer shapes from the bridge's task record, result URLs, and the error bodies."""

import json

from api_bridge.contracts.fooocus import views_v05, views_v25
from api_bridge.contracts.fooocus.errors import error_response
from api_bridge.contracts.fooocus.files import accept_format, parse_input_name, parse_result_name, result_url
from api_bridge.errors import ErrorCode, ErrorInfo
from api_bridge.store.records import OutputRef, Progress, TaskRecord, TaskStatus

BASE = "http://bridge:8000"
DAY = 1_800_000_000.0  # 2027-01-15 UTC


def record(status=TaskStatus.succeeded, images=2, **kw) -> TaskRecord:
    meta = {
        "req_params": {"prompt": "p", "image_seed": -1, "base_model_name": "juggernautXL_v8Rundiffusion.safetensors"},
        "image_fields": {"inpaint_input_image": 0, "inpaint_mask_image_upload": 1},
        "output_format": "webp",
        "save_extension": "jpg",
        "webhook_url": "http://hook",
        "checkpoint": "xl.safetensors",
        "base_url": BASE,
        **kw.pop("meta", {}),
    }
    outputs = [OutputRef(name="image", key=f"KEY{i}abcdefgh.png") for i in range(images)]
    return TaskRecord(
        id="0" * 32,
        kind="inpaint",
        task={},
        status=status,
        meta=meta,
        outputs=outputs if status is TaskStatus.succeeded else [],
        info={"seed": 41, "seeds": [41, 42][:images]},
        created_at=DAY,
        started_at=DAY + 1,
        finished_at=DAY + 3 if status.finished else None,
        **kw,
    )


def test_v25_record_of_a_finished_task():
    view = views_v25.record_view(record(), BASE)
    assert view["task_status"] == "finished" and view["progress"] == 100 and "preview" not in view
    assert (view["in_queue_mills"], view["start_mills"], view["finish_mills"]) == (
        1_800_000_000_000,
        1_800_000_001_000,
        1_800_000_003_000,
    )
    assert view["result"] == [
        f"{BASE}/outputs/2027-01-15/KEY0abcdefgh.webp",
        f"{BASE}/outputs/2027-01-15/KEY1abcdefgh.webp",
    ]
    params = view["req_params"]
    assert params["image_seed"] == 41 and params["base_model_name"] == "xl.safetensors"
    assert params["inpaint_input_image"] == f"{BASE}/inputs/{'0' * 32}-0.png"
    assert params["inpaint_mask_image_upload"] == f"{BASE}/inputs/{'0' * 32}-1.png"
    assert view["webhook_url"] == "http://hook"


def test_v25_statuses_progress_and_the_stop_or_skip_reason():
    running = views_v25.record_view(record(TaskStatus.running, progress=Progress(fraction=0.42)), BASE, live=True)
    assert (running["task_status"], running["progress"], running["preview"]) == ("running", 42, "")
    assert running["result"] == [] and running["finish_mills"] == -1
    assert views_v25.task_status(record(TaskStatus.queued)) == "pending"
    skipped = record(
        TaskStatus.cancelled,
        error=ErrorInfo(code=ErrorCode.interrupted, message="s", details={"fooocus_action": "skip"}),
    )
    assert views_v25.task_status(skipped) == "skip"
    failed = views_v25.record_view(
        record(TaskStatus.failed, error=ErrorInfo(code=ErrorCode.execution_failed, message="boom")), BASE
    )
    assert failed["task_status"] == "finished" and failed["result"] == [] and failed["error"] == "boom"


def test_v25_disable_seed_increment_repeats_the_url_and_the_webhook_is_a_json_string():
    view = views_v25.record_view(record(images=1, meta={"copies": 3}), BASE)
    assert len(view["result"]) == 3 and len(set(view["result"])) == 1
    body = views_v25.webhook_body(record())
    assert isinstance(body, str) and json.loads(body)["task_id"] == "0" * 32
    events = [views_v25.stream_event(record(s), BASE) for s in (TaskStatus.queued, TaskStatus.succeeded)]
    assert events[0]["progress"] == 0 and events[1]["message"] == "Finished" and len(events[1]["images"]) == 2


def test_v05_results_jobs_history_and_webhook():
    done = record()
    results = views_v05.results(done, BASE)
    assert [r["seed"] for r in results] == ["41", "42"] and all(isinstance(r["seed"], str) for r in results)
    assert results[0]["url"] == f"{BASE}/files/2027-01-15/KEY0abcdefgh.jpg" and results[0]["base64"] is None
    job = views_v05.job_view(done, BASE)
    assert (job["job_stage"], job["job_progress"], job["job_status"], len(job["job_result"])) == (
        "SUCCESS",
        100,
        "Finished",
        2,
    )
    waiting = views_v05.job_view(record(TaskStatus.queued), BASE)
    assert waiting["job_stage"] == "WAITING" and waiting["job_result"] is None and waiting["job_status"] is None
    failed = record(TaskStatus.failed, error=ErrorInfo(code=ErrorCode.execution_failed, message="boom"))
    assert (
        views_v05.job_view(failed, BASE)["job_stage"] == "ERROR"
        and views_v05.job_view(failed, BASE)["job_result"] is None
    )
    assert views_v05.results(failed, BASE) == [{"base64": None, "url": None, "seed": "41", "finish_reason": "ERROR"}]
    cancelled = record(TaskStatus.cancelled)
    assert views_v05.results(cancelled, BASE)[0]["finish_reason"] == "USER_CANCEL"
    assert views_v05.history_item(done) == {
        "job_id": "0" * 32,
        "in_queue_mills": 1_800_000_000_000,
        "start_mills": 1_800_000_001_000,
        "finish_mills": 1_800_000_003_000,
        "is_finished": True,
    }
    assert views_v05.webhook_body(done) == {
        "job_id": "0" * 32,
        "job_result": [{"url": r["url"], "seed": r["seed"]} for r in results],
    }


def test_file_names_round_trip_and_accept_reads_as_upstream():
    url = result_url(BASE, "outputs", record(), OutputRef(name="image", key="AbC123xyz.png"), "jpeg")
    assert url == f"{BASE}/outputs/2027-01-15/AbC123xyz.jpg"
    assert parse_result_name("AbC123xyz.jpg") == ("AbC123xyz.png", "jpg")
    assert parse_result_name("../etc/passwd") is None and parse_result_name("in-abcdefgh.png") is None
    assert parse_input_name(f"{'a' * 32}-1.png") == ("a" * 32, 1, "png") and parse_input_name("x-1.png") is None
    assert accept_format("image/webp") == "webp" and accept_format("text/jpeg") == "jpeg"
    assert accept_format("image/png, */*") is None and accept_format(None) is None


def test_error_bodies_are_fastapis():
    def body(info, status=None):
        r = error_response(info, status)
        return r.status_code, json.loads(r.body)

    assert body(ErrorInfo(code=ErrorCode.unauthorized, message="x")) == (403, {"detail": "Forbidden"})
    status, content = body(
        ErrorInfo(code=ErrorCode.invalid_input, message="bad image", details={"field": "input_image"})
    )
    assert status == 422 and content == {
        "detail": [{"type": "value_error", "loc": ["body", "input_image"], "msg": "bad image", "input": None}]
    }
    assert body(ErrorInfo(code=ErrorCode.input_too_large, message="too big")) == (413, {"detail": "too big"})
    assert body(ErrorInfo(code=ErrorCode.not_found, message="x"), 404) == (404, {"detail": "Not Found"})
    assert body(ErrorInfo(code=ErrorCode.not_found, message="x"), 405) == (405, {"detail": "Method Not Allowed"})
    assert body(ErrorInfo(code=ErrorCode.queue_full, message="full")) == (429, {"detail": "full"})
    assert body(ErrorInfo(code=ErrorCode.execution_failed, message="node failed"))[0] == 500
    missing = ErrorInfo(code=ErrorCode.model_not_found, message="not installed", details={"field": "base_model_name"})
    assert body(missing)[0] == 422
