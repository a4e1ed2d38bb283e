"""Routes of the saved workflows: list them, describe one, run one as an ordinary bridge task.

``POST /bridge/v1/workflows/{name}`` is one handler for every workflow (the registry changes while the
bridge runs); the OpenAPI document lists each available workflow as its own path with its own request
model (:func:`install_openapi`), rebuilt whenever the registry changes. Runs are tasks like any other:
``GET /bridge/v1/tasks/{id}`` (long-poll), ``/events`` (SSE), ``/cancel``, webhooks, the queue cap and
the result TTL all apply; ``?wait=s`` answers with the finished task when it is done within that time.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from ..errors import BridgeError, ErrorCode
from ..server.auth import api_key_dependency
from ..server.context import BridgeContext
from ..server.routes import errors, task_view
from ..tasks import ImageRef
from ..tasks.workflow import WorkflowImage, WorkflowResult, WorkflowTask
from .bind import bind
from .registry import Workflow, WorkflowRegistry
from .schema import given_values

CONTRACT = "workflows"  # the records' contract (lists, metrics)
FORMATS = frozenset({"PNG", "JPEG", "WEBP"})
_FIELD = re.compile(r"^task\.images\[(\d+)\]")


class ImageInputView(BaseModel):
    name: str
    node: str
    node_type: str
    title: str


class ParamView(BaseModel):
    name: str = Field(description="Key in 'inputs' (a dotted name is a field of an object: sampler.steps).")
    nodes: list[str]
    input: str
    type: str
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    choices: list[Any] | None = None
    randomize: bool = Field(False, description="Drawn anew for every run unless set.")


class ResultView(BaseModel):
    name: str
    node: str
    node_type: str
    kind: str = Field(description="image: in the task's outputs; text: in info.values.")


class WorkflowView(BaseModel):
    name: str
    url: str
    source: str
    location: str
    sha256: str
    format: str | None = None
    available: bool
    reason: str | None = Field(None, description="Why it is unavailable (a node not installed, a missing model...).")
    node_id: str | None = None
    node_type: str | None = None
    images: list[ImageInputView] = Field(default_factory=list)
    params: list[ParamView] = Field(default_factory=list)
    outputs: list[ResultView] = Field(default_factory=list)
    randomized: list[str] = Field(default_factory=list, description="node.input of widgets drawn per run.")
    request_schema: dict[str, Any] | None = Field(None, description="JSON schema of the POST body.")


class SkippedView(BaseModel):
    location: str
    reason: str


class WorkflowList(BaseModel):
    workflows: list[WorkflowView]
    skipped: list[SkippedView]


def view(wf: Workflow) -> dict[str, Any]:
    spec = wf.spec
    out: dict[str, Any] = {
        "name": wf.name,
        "url": f"/bridge/v1/workflows/{wf.name}",
        "source": wf.source,
        "location": wf.location,
        "sha256": wf.digest,
        "format": spec.format if spec else None,
        "available": wf.available,
        "reason": wf.reason,
        "node_id": wf.node_id,
        "node_type": wf.node_type,
    }
    if spec is None:
        return out
    out["images"] = [dataclasses.asdict(i) for i in spec.images]
    out["params"] = [
        {
            "name": p.name,
            "nodes": sorted({n for n, _ in p.targets}),
            "input": p.input,
            "type": p.spec.type,
            "default": None if p.randomize else p.default,
            "minimum": p.spec.options.get("min"),
            "maximum": p.spec.options.get("max"),
            "choices": list(p.spec.choices) if p.spec.type == "COMBO" and p.spec.choices else None,
            "randomize": p.randomize,
        }
        for p in spec.params
    ]
    out["outputs"] = [dataclasses.asdict(o) for o in spec.outputs]
    out["randomized"] = [d.key for d in spec.drawn]
    out["request_schema"] = wf.model.model_json_schema() if wf.model else None
    return out


def _field_of(exc: BridgeError, images: list[WorkflowImage]) -> BridgeError:
    """The service names a task path (task.images[0].image.blob): say which input it was."""
    field = str(exc.info.details.get("field", ""))
    match = _FIELD.match(field)
    if not match or int(match.group(1)) >= len(images):
        return exc
    name = f"inputs.{images[int(match.group(1))].name}"
    message = exc.info.message.replace(field, name, 1)
    return BridgeError(exc.code, message, details={**exc.info.details, "field": name})


def make_router(ctx: BridgeContext) -> APIRouter:
    registry: WorkflowRegistry = ctx.workflows
    service = ctx.service
    limits = dataclasses.replace(ctx.images.default_limits, formats=FORMATS)
    router = APIRouter(dependencies=[Depends(api_key_dependency(ctx.settings.api_keys))], tags=["workflows"])

    async def lookup(name: str) -> Workflow:
        wf = await registry.get(name)
        if wf is not None and not wf.available:
            wf = await registry.get(name, recheck=True)  # a model added since the last look?
        if wf is None:
            known = ", ".join(sorted(registry.workflows)) or "none"
            raise BridgeError(ErrorCode.not_found, f"no workflow {name!r} (registered: {known})")
        return wf

    @router.get("/bridge/v1/workflows", response_model=WorkflowList, responses=errors(401))
    async def list_workflows() -> dict[str, Any]:
        """Every registered workflow with its inputs, outputs and request schema; unavailable ones say why."""
        await registry.refresh()
        return {
            "workflows": [view(wf) for _, wf in sorted(registry.workflows.items())],
            "skipped": registry.skipped,
        }

    # Describe (GET) and run (POST) share one route, so a wrong method is answered 405 with both in Allow.
    @router.api_route(
        "/bridge/v1/workflows/{name}", methods=["GET", "POST"], include_in_schema=False, response_model=None
    )
    async def workflow(
        request: Request, name: str, wait: float = Query(0.0, ge=0.0, le=600.0)
    ) -> JSONResponse | dict[str, Any]:
        if request.method == "GET":
            return view(await lookup(name))
        return await run_workflow(request, name, wait)

    async def run_workflow(request: Request, name: str, wait: float) -> JSONResponse:
        wf = await lookup(name)
        if not wf.available:
            raise BridgeError(
                ErrorCode.not_runnable,
                f"workflow {name!r} is unavailable: {wf.reason}",
                node_id=wf.node_id,
                node_type=wf.node_type,
                details={"reason": wf.reason},
            )
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError) as exc:
            raise BridgeError(ErrorCode.invalid_input, "the body is not valid JSON") from exc
        try:
            req = wf.model.model_validate(body)
        except ValidationError as exc:
            raise RequestValidationError(
                [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
            ) from None
        images, params = given_values(req)
        spec = wf.spec
        refs: list[WorkflowImage] = []
        for image in spec.images:
            value = images[image.name]
            if not isinstance(value, ImageRef):
                what = f"inputs.{image.name}"
                try:
                    value = await service.put_image(await ctx.images.load(value, limits, what=what))
                except BridgeError as exc:
                    raise BridgeError(exc.code, exc.info.message, details={"field": what}) from None
            refs.append(WorkflowImage(node=image.node, name=image.name, image=value))
        run = bind(spec, params)
        task = WorkflowTask(
            workflow=wf.name,
            source=wf.digest,
            prompt=run.prompt,
            images=refs,
            results=[WorkflowResult(name=o.name, node=o.node, kind=o.kind) for o in spec.outputs],
            seeds=run.seeds,
            seed=run.seed,
        )
        try:
            record = await service.submit(
                task, contract=CONTRACT, summary={"workflow": wf.name}, webhook_url=req.webhook_url
            )
        except BridgeError as exc:
            raise _field_of(exc, refs) from None
        if wait > 0:
            record = await service.wait(record.id, wait)
        return JSONResponse(task_view(ctx, request, record), status_code=200 if record.status.finished else 202)

    return router


def _responses() -> dict[str, Any]:
    task = {"application/json": {"schema": {"$ref": "#/components/schemas/TaskView"}}}
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    described = {
        "200": ("The task, finished within 'wait' seconds.", task),
        "202": ("The task, queued or running: follow it at /bridge/v1/tasks/{id}.", task),
        "401": ("Missing or wrong API key.", error),
        "404": ("No such workflow.", error),
        "413": ("An image over the size limits.", error),
        "422": ("A bad input, naming the field (unknown parameter, value out of range, unreadable image).", error),
        "429": ("The queue is full.", error),
        "409": ("The workflow is registered but cannot run here (the reason is given).", error),
    }
    return {status: {"description": text, "content": content} for status, (text, content) in described.items()}


def _describe(name: str | None, security: Any) -> dict[str, Any]:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    operation: dict[str, Any] = {
        "tags": ["workflows"],
        "summary": f"Describe the workflow {name}" if name else "Describe a workflow",
        "description": "Its inputs, outputs and request schema, or why it is unavailable.",
        "operationId": f"describe_workflow_{_op(name)}" if name else "describe_workflow",
        "responses": {
            "200": {
                "description": "The workflow.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WorkflowView"}}},
            },
            "401": {"description": "Missing or wrong API key.", "content": error},
            "404": {"description": "No such workflow.", "content": error},
        },
    }
    if name is None:
        operation["parameters"] = [_NAME]
    if security:
        operation["security"] = security
    return operation


_NAME = {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}, "description": "Its name."}
_WAIT = {
    "name": "wait",
    "in": "query",
    "required": False,
    "schema": {"type": "number", "minimum": 0, "maximum": 600, "default": 0},
    "description": "Seconds to wait for the task to finish before answering.",
}


def _op(name: str | None) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", name or "")


def add_workflow_paths(schema: dict[str, Any], registry: WorkflowRegistry) -> None:
    """``/bridge/v1/workflows/{name}`` (describe, run), and each available workflow as its own path whose POST
    has the workflow's own request model."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    security = (schema.get("paths", {}).get("/bridge/v1/tasks", {}).get("post") or {}).get("security")
    paths = schema.setdefault("paths", {})
    generic = {
        "tags": ["workflows"],
        "summary": "Run a workflow",
        "description": "The body each workflow takes is its own: see its path below, or request_schema in GET.",
        "operationId": "run_workflow",
        "parameters": [_NAME, _WAIT],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["inputs"],
                        "properties": {
                            "inputs": {"type": "object", "description": "Image inputs and parameters."},
                            "webhook_url": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                        },
                    }
                }
            },
        },
        "responses": _responses(),
    }
    if security:
        generic["security"] = security
    paths["/bridge/v1/workflows/{name}"] = {"get": _describe(None, security), "post": generic}
    for name, wf in sorted(registry.workflows.items()):
        if not wf.available or wf.model is None:
            continue
        body = wf.model.model_json_schema(ref_template="#/components/schemas/{model}")
        for key, definition in body.pop("$defs", {}).items():
            components.setdefault(key, definition)
        components[body["title"]] = body
        spec = wf.spec
        outputs = ", ".join(f"{o.name} ({o.kind})" for o in spec.outputs)
        operation: dict[str, Any] = {
            "tags": ["workflows"],
            "summary": f"Run the workflow {name}",
            "description": f"Queues a run of {wf.location} as a task. Results: {outputs}.",
            "operationId": f"run_workflow_{_op(name)}",
            "parameters": [_WAIT],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body['title']}"}}},
            },
            "responses": _responses(),
        }
        if security:
            operation["security"] = security
        paths[f"/bridge/v1/workflows/{name}"] = {"get": _describe(name, security), "post": operation}


def install_openapi(app: FastAPI, registry: WorkflowRegistry) -> None:
    """Make ``app.openapi()`` include the registered workflows, rebuilt when the registry changes."""
    generate = app.openapi
    built_for: list[int | None] = [None]

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None or built_for[0] != registry.version:
            app.openapi_schema = None
            schema = generate()
            add_workflow_paths(schema, registry)
            built_for[0] = registry.version
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
