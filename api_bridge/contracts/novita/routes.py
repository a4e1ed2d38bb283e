"""FastAPI adapters for Novita's routes; the work is in ``service.NovitaApi``.

Bodies and queries are read raw (so ``null``s, bad JSON and missing parameters are Novita's own
``INVALID_REQUEST_BODY``, not the framework's 422) and documented through ``openapi_extra``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader

from ...openapi import json_body
from .errors import NovitaError, openapi_errors
from .listing import BASE_MODELS, MODEL_SCHEMA, SOURCES, TYPES, VISIBILITIES
from .models import InpaintingBody
from .results import RESULT_SCHEMA
from .service import NovitaApi, answer

# Documents the key for OpenAPI (and lets schemathesis send it); the check itself reads the raw header.
KEY = APIKeyHeader(
    name="Authorization",
    scheme_name="NovitaKey",
    auto_error=False,
    description="'Bearer <key>' or the raw key (the JS SDK), a key from IB_NOVITA_KEYS.",
)
AUTH_ERRORS = ("MISSING_API_KEY", "INVALID_API_KEY")


def _query(name: str, description: str, *, required: bool = False, enum: list[str] | None = None, **schema) -> dict:
    schema = {"type": "string", **schema}
    if enum:
        schema["enum"] = enum if required else [*enum, ""]  # an optional filter sent empty is not set
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


def _ok(schema: dict, description: str) -> dict:
    return {200: {"description": description, "content": {"application/json": {"schema": schema}}}}


TASK_ID = {"type": "object", "required": ["task_id"], "properties": {"task_id": {"type": "string"}}}
FLAG = ["true", "false", "1", "0"]
MODEL_QUERY = [
    _query("filter.types", f"One of {', '.join(TYPES)} (comma-separated for several).", enum=list(TYPES)),
    _query("filter.type", "The Python SDK's spelling of filter.types.", enum=list(TYPES)),
    _query("filter.is_inpainting", "true: only inpainting checkpoints.", enum=FLAG),
    _query("filter.is_sdxl", f"true: only SDXL models; false: none ({', '.join(BASE_MODELS.values())}).", enum=FLAG),
    _query("filter.visibility", "Installed models are public.", enum=list(VISIBILITIES)),
    _query("filter.source", "Installed models are 'uploading'.", enum=list(SOURCES)),
    _query("filter.query", "Part of the file name."),
    _query("pagination.limit", "Entries per page, 1..100 (default 100).", pattern="^(100|[1-9][0-9]?)$"),
    _query("pagination.cursor", "next_cursor of the previous page (c_<offset>).", pattern="^(c_[0-9]+)?$"),
]


def make_router(api: NovitaApi) -> APIRouter:
    router = APIRouter(tags=["novita"])
    base = api.ctx.base_url

    @router.post(
        "/v3/async/inpainting",
        summary="Novita / PPIO v3 async inpainting",
        responses={
            **_ok(TASK_ID, "The task id, for GET /v3/async/task-result"),
            **openapi_errors(
                "INVALID_REQUEST_BODY",
                "IMAGE_FILE_EXCEEDS_MAX_SIZE",
                "INVALID_IMAGE_FORMAT",
                "IMAGE_EXCEEDS_MAX_RESOLUTION",
                "INVALID_IMAGE_SIZE",
                *AUTH_ERRORS,
                "RATE_LIMIT_EXCEEDED",
                "CREATE_TASK_FAILED",
            ),
        },
        openapi_extra={"requestBody": json_body(InpaintingBody)},
    )
    async def novita_inpainting(request: Request, _key: str | None = Security(KEY)) -> JSONResponse:  # noqa: B008
        work = api.submit(dict(request.headers), await request.body(), base(request))
        return await answer(work, submitting=True)

    @router.get(
        "/v3/async/task-result",
        summary="Novita task result (status, progress, images)",
        responses={
            **_ok(RESULT_SCHEMA, "The task: status, progress, seed, images when it succeeded"),
            **openapi_errors("INVALID_REQUEST_BODY", *AUTH_ERRORS, "TASK_NOT_FOUND", "GET_RESULT_FAILED"),
        },
        openapi_extra={
            "parameters": [_query("task_id", "From POST /v3/async/inpainting.", required=True, minLength=1)]
        },
    )
    async def novita_task_result(request: Request, _key: str | None = Security(KEY)) -> JSONResponse:  # noqa: B008
        work = api.task_result(dict(request.headers), request.query_params.get("task_id"), base(request))
        return await answer(work, submitting=False)

    @router.get(
        "/v3/model",
        summary="Installed checkpoints, LoRAs, VAEs and embeddings as Novita models",
        responses={
            **_ok(MODEL_SCHEMA, "One page of models"),
            **openapi_errors("INVALID_REQUEST_BODY", *AUTH_ERRORS, "GET_RESULT_FAILED"),
        },
        openapi_extra={"parameters": MODEL_QUERY},
    )
    async def novita_models(request: Request, _key: str | None = Security(KEY)) -> JSONResponse:  # noqa: B008
        return await answer(api.models(dict(request.headers), dict(request.query_params)), submitting=False)

    served = {route.path: sorted(route.methods) for route in router.routes}

    # Other /v3 APIs (Novita's txt2img, ...) answer API_NOT_FOUND; a wrong method on a served one is a 405.
    @router.api_route("/v3/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    async def novita_unknown_api(request: Request, rest: str) -> JSONResponse:
        path = f"/v3/{rest}"
        if path in served:
            response = NovitaError("API_NOT_FOUND", f"{request.method} is not served at {path}").response()
            response.status_code = 405
            response.headers["Allow"] = ", ".join(served[path])
            return response
        return NovitaError("API_NOT_FOUND", f"no API {path} on this server").response()

    return router
