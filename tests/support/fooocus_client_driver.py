"""Runs inside the Fooocus-API client venv (.cache/clients/fooocus): calls of the official generated client.

stdin: {"host", "calls": [{"op": "v1" | "v2" | "query_job" | "job_queue" | "job_history" | "stop" | "ping",
        "args": {...}}]}. For "v1" the args are the method's keywords (input_image / input_mask: file paths, as
        the client takes them); for "v2" the JSON request (built with the client's own model, from_dict).
stdout: one JSON line per call: {"type": <the client's result class>, "result": <the answer as JSON>} or
        {"error": {"status", "body"}} for an ApiException (any non-2xx). Standard library + the client only.

The generation calls' anyOf answer types take any JSON first (the generator's ``object`` branch), so their
answers are read again with the client's own models, as a caller does: a result list as
``GeneratedImageResult`` items (the ``seed`` must be a string), a job as ``AsyncJobResponse``. That model
refuses ``"base64": null``, which upstream sends whenever ``require_base64`` is off (a bug of the generated
client, not of a server): such items are read with ``""`` in its place.
"""

import json
import sys

import fooocusapi_client
from fooocusapi_client.exceptions import ApiException
from fooocusapi_client.models.async_job_response import AsyncJobResponse
from fooocusapi_client.models.generated_image_result import GeneratedImageResult
from fooocusapi_client.models.img_inpaint_or_outpaint_request_json import ImgInpaintOrOutpaintRequestJson


def plain(value):
    """The client's wrapper models down to JSON values (anyOf wrappers keep ``actual_instance``)."""
    if hasattr(value, "actual_instance"):
        return plain(value.actual_instance)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def typed(value):
    """A generation answer read with the client's models (raises when they refuse it)."""
    if isinstance(value, list):
        return [GeneratedImageResult.from_dict({**item, "base64": item["base64"] or ""}) for item in value]
    if isinstance(value, dict) and "job_id" in value:
        return AsyncJobResponse.from_dict(value)
    return value


def call(api, op: str, args: dict):
    if op == "v1":
        return api.img_inpaint_or_outpaint_v1_generation_image_inpaint_outpaint_post(**args)
    if op == "v2":
        request = ImgInpaintOrOutpaintRequestJson.from_dict(args)
        return api.img_inpaint_or_outpaint_v2_v2_generation_image_inpaint_outpaint_post(request)
    if op == "query_job":
        return api.query_job_v1_generation_query_job_get(**args)
    if op == "job_queue":
        return api.job_queue_v1_generation_job_queue_get()
    if op == "job_history":
        return api.get_history_v1_generation_job_history_get(**args)
    if op == "stop":
        return api.stop_v1_generation_stop_post()
    if op == "ping":
        return api.ping_ping_get()
    raise SystemExit(f"unknown op {op!r}")


def main():
    spec = json.load(sys.stdin)
    api = fooocusapi_client.DefaultApi(fooocusapi_client.ApiClient(fooocusapi_client.Configuration(host=spec["host"])))
    for item in spec["calls"]:
        try:
            result = call(api, item["op"], item.get("args", {}))
            result = getattr(result, "actual_instance", result)
            checked = typed(result) if item["op"] in ("v1", "v2") else result
            kind = type(checked[0] if isinstance(checked, list) and checked else checked).__name__
            print(json.dumps({"type": kind, "result": plain(result)}), flush=True)
        except ApiException as exc:
            print(json.dumps({"error": {"status": exc.status, "body": exc.body}}), flush=True)


if __name__ == "__main__":
    main()
