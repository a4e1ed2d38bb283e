"""The IOPaint ``/api/v1`` routes: thin adapters from HTTP to :mod:`handlers`, with IOPaint's CORS and errors.

Every route of this router answers its refusals in IOPaint's error JSON (request-validation failures
included, with FastAPI's ``detail`` list) and carries IOPaint's CORS headers (any origin, ``X-Seed``
exposed); ``OPTIONS`` answers a browser's preflight for each path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from ...errors import BridgeError
from .errors import CORS_HEADERS, IOPaintError, error_response, from_bridge_error, responses, validation_response
from .handlers import IOPaint
from .inputs import UPLOAD_LIMIT
from .schema import (
    SAMPLERS,
    AdjustMaskRequest,
    GenInfoResponse,
    InpaintRequest,
    ModelInfo,
    RunPluginRequest,
    ServerConfigResponse,
    SwitchModelRequest,
    SwitchPluginModelRequest,
)

log = logging.getLogger(__name__)
PREFIX = "/api/v1"
IMAGE_BODY = {"schema": {"type": "string", "format": "binary"}}
PNG = {"200": {"description": "PNG image", "content": {"image/png": IMAGE_BODY}}}
NULL = {"description": "null", "content": {"application/json": {"schema": {"type": "null"}}}}
TASK_ERRORS = (400, 413, 422, 429, 500, 503, 504)  # routes that run a task on ComfyUI


class IOPaintRoute(APIRoute):
    """Turns every refusal raised in the endpoint (or by FastAPI's request parsing) into IOPaint's error body."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except IOPaintError as exc:
                response = exc.response()
            except BridgeError as exc:
                response = from_bridge_error(exc.info).response()
            except StarletteHTTPException as exc:  # FastAPI's own: a body it cannot decode is bad JSON (422)
                response = error_response(422 if exc.status_code == 400 else exc.status_code, exc.detail)
            except RequestValidationError as exc:
                errors = [{k: e.get(k) for k in ("type", "loc", "msg")} for e in exc.errors()]
                response = validation_response(errors)
            except Exception:  # a bug: logged here, the client gets IOPaint's body without a traceback
                log.exception("iopaint %s %s failed", request.method, request.url.path)
                response = error_response(500, "internal error in the bridge")
            for key, value in CORS_HEADERS.items():
                response.headers.setdefault(key, value)
            return response

        return route


async def _read_upload(file: UploadFile) -> bytes:
    data = await file.read(UPLOAD_LIMIT + 1)
    if len(data) > UPLOAD_LIMIT:
        raise IOPaintError(413, f"the file is over {UPLOAD_LIMIT} bytes")
    return data


def make_router(api: IOPaint) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["iopaint"], route_class=IOPaintRoute)

    @router.get("/server-config", response_model=ServerConfigResponse, responses=responses(500, 503))
    async def server_config() -> ServerConfigResponse:
        """Plugins, installed models and switches, as IOPaint's web UI reads them at start."""
        return await api.server_config()

    @router.get("/model", response_model=ModelInfo, responses=responses(422, 500, 503))
    async def current_model() -> ModelInfo:
        """The current model."""
        return await api.current_model()

    @router.post("/model", response_model=ModelInfo, responses=responses(422, 500, 503))
    async def switch_model(req: SwitchModelRequest) -> ModelInfo:
        """Make ``name`` the current model (IOPaint's name, a file name or an alias); unknown: 422."""
        return await api.switch_model(req.name)

    @router.get(
        "/inputimage",
        response_class=Response,
        responses={
            200: {
                "description": "The configured input image, or IOPaint's error JSON when none is configured",
                "content": {"image/*": IMAGE_BODY, **responses(200)[200]["content"]},
            },
            **responses(404, 500),
        },
    )
    async def input_image() -> Response:
        """The image given with IB_IOPAINT_INPUT (the web UI opens it at start)."""
        path = api.input_image()
        return FileResponse(path, headers={"Content-Disposition": f"inline; filename={path.name}"})

    @router.post(
        "/inpaint",
        response_class=Response,
        responses={
            200: {
                "description": "The result, raw bytes in the input image's format",
                "headers": {"X-Seed": {"required": True, "schema": {"type": "string"}, "description": "seed used"}},
                "content": {"image/png": IMAGE_BODY, "image/jpeg": IMAGE_BODY, "image/webp": IMAGE_BODY},
            },
            **responses(*TASK_ERRORS),
        },
    )
    async def inpaint(req: InpaintRequest) -> Response:
        """Erase (erase models) or inpaint (diffusion checkpoints) what the mask covers."""
        reply = await api.inpaint(req)
        return Response(reply.content, media_type=reply.media_type, headers={"X-Seed": str(reply.seed)})

    @router.post("/switch_plugin_model", responses={200: NULL, **responses(422, 500, 503)})
    async def switch_plugin_model(req: SwitchPluginModelRequest) -> None:
        """Choose a plugin's model (an unknown plugin name is ignored, as IOPaint does)."""
        return await api.switch_plugin_model(req)

    @router.post("/run_plugin_gen_mask", response_class=Response, responses={**PNG, **responses(*TASK_ERRORS)})
    async def run_plugin_gen_mask(req: RunPluginRequest) -> Response:
        """A plugin's mask as the web UI overlays it (RGBA PNG)."""
        return Response(await api.run_plugin(req, gen_mask=True), media_type="image/png")

    @router.post("/run_plugin_gen_image", response_class=Response, responses={**PNG, **responses(*TASK_ERRORS)})
    async def run_plugin_gen_image(req: RunPluginRequest) -> Response:
        """A plugin's image (RemoveBG: the RGBA cut-out)."""
        return Response(await api.run_plugin(req, gen_mask=False), media_type="image/png")

    @router.get("/samplers", response_model=list[str])
    async def samplers() -> list[str]:
        """Diffusion sampler names (``sd_sampler``)."""
        return list(SAMPLERS)

    @router.post("/adjust_mask", response_class=Response, responses={**PNG, **responses(*TASK_ERRORS)})
    async def adjust_mask(req: AdjustMaskRequest) -> Response:
        """Expand, shrink or reverse a mask (RGBA PNG in the web UI's colour)."""
        return Response(await api.adjust_mask(req), media_type="image/png")

    @router.post("/save_image", responses={200: NULL, **responses(400, 413, 422, 500)})
    async def save_image(file: UploadFile = File(...)) -> None:  # noqa: B008 (FastAPI's idiom)
        """Save an upload into IB_IOPAINT_OUTPUT_DIR under its base name."""
        return await api.save_image(file.filename, await _read_upload(file))

    @router.post("/gen-info", response_model=GenInfoResponse, responses=responses(400, 413, 422, 500))
    async def gen_info(file: UploadFile = File(...)) -> GenInfoResponse:  # noqa: B008
        """Prompt and negative prompt from a PNG's ``parameters`` text."""
        return await api.gen_info(await _read_upload(file))

    def preflight_route(path: str) -> None:
        async def preflight(request: Request) -> Response:
            headers = {
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": request.headers.get("access-control-request-headers") or "*",
                "Access-Control-Max-Age": "600",
            }
            return Response(status_code=204, headers=headers)

        router.add_api_route(
            path,
            preflight,
            methods=["OPTIONS"],
            summary=f"CORS preflight of {PREFIX}{path}",
            status_code=204,
            response_class=Response,
            responses={204: {"description": "allowed from any origin"}},
            name=f"preflight {path}",
        )

    for path in sorted({route.path[len(PREFIX) :] for route in router.routes if isinstance(route, APIRoute)}):
        preflight_route(path)
    return router
