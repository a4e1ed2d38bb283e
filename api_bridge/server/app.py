"""The app factory: settings → store, blobs, executor (embedded or remote ComfyUI), service, routes."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pathlib
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from .. import contracts
from ..contracts import root
from ..errors import BridgeError, ErrorCode, ErrorInfo
from ..executors import ComfyExecutor, LocalComfyProcess
from ..models.catalog import ModelCatalog, parse_aliases
from ..net import UrlPolicy
from ..service import TaskService
from ..webhooks import WebhookSender
from ..workflows import routes as workflow_routes
from ..workflows.registry import WorkflowRegistry, make_sources
from . import routes
from .auth import warn_if_open
from .context import BridgeContext
from .images import ImageLimits, ImageLoader
from .settings import BridgeSettings
from .stores import open_blob_store, open_task_store

log = logging.getLogger(__name__)
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]


def default_comfy_path(settings: BridgeSettings) -> pathlib.Path:
    if settings.comfy_path:
        return pathlib.Path(settings.comfy_path)
    if os.environ.get("COMFYUI_PATH"):
        return pathlib.Path(os.environ["COMFYUI_PATH"])
    recorded = REPO_ROOT / ".comfyui" / "path"
    if recorded.is_file():
        return pathlib.Path(recorded.read_text().strip())
    raise RuntimeError("ComfyUI not found: set IB_COMFY_URLS (remote), IB_COMFY_PATH / COMFYUI_PATH, or run setup")


def allowed_methods(app: FastAPI, path: str) -> str:
    """The Allow header for ``path``: every method the OpenAPI document gives it (Starlette's 405 names only the
    first route that matched, though GET / and POST / are different contracts' routes)."""
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        if compile_path(template)[0].match(path):
            methods |= {m.upper() for m in operations if m.upper() in HTTP_METHODS}
    return ", ".join(sorted(methods))


def _endpoints(router) -> Iterator[Any]:
    """Every endpoint of a router, those of the routers it includes too (FastAPI keeps those nested)."""
    for route in router.routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from _endpoints(nested)
        elif getattr(route, "endpoint", None) is not None:
            yield route.endpoint


def default_error(info: ErrorInfo, status: int) -> JSONResponse:
    return JSONResponse({"error": info.model_dump(mode="json")}, status_code=status)


def create_app(settings: BridgeSettings | None = None) -> FastAPI:
    settings = settings or BridgeSettings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = open_task_store(settings)
    blobs = open_blob_store(settings)
    local: LocalComfyProcess | None = None
    if settings.embedded:
        local = LocalComfyProcess(
            default_comfy_path(settings),
            port=settings.comfy_port,
            listen=settings.comfy_listen,
            python=settings.comfy_python,
            extra_args=settings.comfy_args,
            cpu=settings.comfy_cpu,
            log_path=settings.data_dir / "comfyui.log",
        )
        urls = [local.url]
    else:
        urls = settings.comfy_urls
    executor = ComfyExecutor(
        urls,
        poll_interval=settings.poll_interval,
        capacity=settings.comfy_capacity,
        capacities=settings.comfy_capacities,
        replica=settings.resolved_replica_id(),
    )
    policy = UrlPolicy(
        allow_private=settings.allow_private_urls,
        timeout=settings.url_timeout,
        allow_hosts=frozenset(h.lower() for h in settings.allow_url_hosts),
    )
    service = TaskService(
        store,
        blobs,
        executor,
        workers=settings.workers,
        queue_cap=settings.queue_cap,
        task_timeout=settings.task_timeout,
        result_ttl=settings.result_ttl,
        input_ttl=settings.input_ttl,
        max_attempts=settings.max_attempts,
        lease=settings.lease,
        replica=settings.resolved_replica_id(),
        webhooks=WebhookSender(
            settings.webhook_secret,
            attempts=settings.webhook_attempts,
            backoff=settings.webhook_backoff,
            policy=policy,
        ),
    )
    images = ImageLoader(policy, ImageLimits(max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels))
    try:
        aliases = parse_aliases(settings.model_aliases)
    except (ValueError, json.JSONDecodeError) as exc:
        raise ValueError(f"IB_MODEL_ALIASES is not valid: {exc}") from None
    models = ModelCatalog(executor, aliases=aliases, default_checkpoint=settings.default_checkpoint)
    workflows = WorkflowRegistry(
        make_sources(settings.workflows_dir, executor), executor, interval=settings.workflows_refresh
    )
    ctx = BridgeContext(service=service, images=images, settings=settings, models=models, workflows=workflows)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        warn_if_open(settings.host, settings.api_keys)
        if local:
            await local.start()
        await executor.start()
        if local:
            for server in executor.servers:
                if not await server.wait_connected(settings.comfy_start_timeout):
                    log.error("embedded ComfyUI did not come up within %.0f s", settings.comfy_start_timeout)
        await service.start()
        await workflows.start()
        try:
            yield
        finally:
            await workflows.stop()
            await service.stop()
            await executor.close()
            if local:
                await local.stop()
            await store.aclose()

    app = FastAPI(
        title="inpaint-bridge",
        version="0.1.0",
        description=(
            "Third-party inpainting APIs (today: Volcengine), a native task API and saved ComfyUI workflows "
            "(/bridge/v1/workflows), served by ComfyUI graphs. "
            "/bridge/v1/* takes an API key when IB_API_KEYS is set; result URLs are open."
        ),
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    app.state.local_comfy = local
    # Errors on a contract's routes are answered in that contract's envelope (matched by endpoint).
    envelopes: dict[Any, Any] = {}
    app.include_router(routes.make_router(ctx))
    app.include_router(workflow_routes.make_router(ctx))
    workflow_routes.install_openapi(app, workflows)
    routers, root_handlers = [], []
    for contract in contracts.discover():
        router = contract.make_router(ctx) if contract.make_router else None
        endpoints = list(_endpoints(router)) if router else []
        for endpoint in endpoints:
            envelopes[endpoint] = contract.error_envelope
        if router:
            routers.append(router)
        if contract.make_root:
            root_handlers.append(contract.make_root(ctx))
        shares = " and a share of POST /" if contract.make_root else ""
        log.info("contract %s: %d routes%s", contract.name, len(endpoints), shares)
    # Instruction-style contracts share POST / (each answers its own errors there; see contracts/root.py).
    # It goes first, so no contract's catch-all (a web UI mounted at /) can shadow it.
    app.include_router(root.make_router(root_handlers))
    for router in routers:
        app.include_router(router)
    app.state.contract_envelopes = envelopes

    def envelope_for(request: Request):
        return envelopes.get(request.scope.get("endpoint")) or default_error

    @app.exception_handler(BridgeError)
    async def bridge_error(request: Request, exc: BridgeError):
        if exc.code is ErrorCode.internal:
            log.error("internal error on %s: %s", request.url.path, exc)
        return envelope_for(request)(exc.info, exc.http_status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        # The framework's own refusals (unparsable JSON body, unknown path, wrong method) in the same envelopes.
        code = {401: ErrorCode.unauthorized, 404: ErrorCode.not_found, 405: ErrorCode.not_found}.get(
            exc.status_code, ErrorCode.invalid_input if exc.status_code < 500 else ErrorCode.internal
        )
        message = "the body is not valid JSON" if exc.status_code == 400 else str(exc.detail)
        status = 422 if code is ErrorCode.invalid_input else exc.status_code
        response = envelope_for(request)(ErrorInfo(code=code, message=message), status)
        response.status_code = status  # transport-level: the contract's body, HTTP's status (405 + Allow)
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:  # every method the path has, though they sit in different routes (GET / and POST /)
            response.headers["Allow"] = allowed_methods(request.app, request.url.path)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        errors = [{k: e.get(k) for k in ("type", "loc", "msg")} for e in exc.errors()]  # no raw input/ctx objects
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc") or () if p != "body")
        if first.get("type") == "json_invalid":
            message = "the body is not valid JSON"
        else:
            message = f"invalid request: {where}: {first.get('msg')}" if first else "invalid request"
        info = ErrorInfo(code=ErrorCode.invalid_input, message=message, details={"errors": errors})
        return envelope_for(request)(info, 422)

    return app
