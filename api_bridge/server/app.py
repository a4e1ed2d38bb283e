"""App factory: settings -> FastAPI app with its ComfyUI (embedded or remote), store and routes."""

import contextlib
import logging
import pathlib

from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..contracts.volcengine.contract import router as volcengine_router
from ..errors import BridgeError
from ..executors.comfy_client import ComfyClient
from ..executors.embedded import EmbeddedComfy, find_comfyui, prepare_base_dir
from ..executors.pool import ComfyPool
from ..metrics import Metrics
from ..service import TaskService
from ..settings import Settings
from ..store.files import FileStore
from ..store.tasks import TaskStore
from . import native

log = logging.getLogger(__name__)
REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    data = pathlib.Path(settings.data_dir)
    data.mkdir(parents=True, exist_ok=True)
    store = TaskStore(str(data / "tasks.sqlite3"))
    files = FileStore(data / "files")
    metrics = Metrics()
    embedded = None
    if settings.comfy_mode == "embedded":
        comfy_dir = find_comfyui(settings.comfy_path, REPO_ROOT)
        base = pathlib.Path(settings.comfy_base_dir) if settings.comfy_base_dir else None
        if base:
            prepare_base_dir(base, comfy_dir, REPO_ROOT)
        embedded = EmbeddedComfy(comfy_dir, settings.comfy_port, base, threads=settings.comfy_threads)
        urls = [embedded.url]
    else:
        urls = settings.comfy_urls
    pool = ComfyPool([ComfyClient(u, timeout=settings.task_timeout_s) for u in urls])
    service = TaskService(settings, store, files, pool, metrics)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        if embedded:
            await embedded.start()
        await service.start()
        try:
            yield
        finally:
            await service.stop()
            await pool.close()
            if embedded:
                await embedded.stop()
            store.close()

    app = FastAPI(
        title="inpaint-bridge",
        description="Five third-party inpainting APIs served by ComfyUI graphs.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.service, app.state.embedded, app.state.settings = service, embedded, settings
    app.include_router(native.router(service, settings.base_url, settings.allow_private_urls))
    app.include_router(volcengine_router(service, settings))

    @app.exception_handler(BridgeError)
    async def bridge_error(_, err: BridgeError):
        return native.error_response(err)

    @app.get("/health", tags=["ops"], summary="The bridge process is up")
    async def health():
        return {"status": "ok"}

    @app.get("/ready", tags=["ops"], summary="ComfyUI answers and the queue has room (else 503)")
    async def ready():
        if not await pool.healthy():
            return JSONResponse({"ready": False, "reason": "ComfyUI is not answering"}, status_code=503)
        if service.pending() >= settings.queue_cap:
            return JSONResponse({"ready": False, "reason": "the queue is full"}, status_code=503)
        return {"ready": True, "pending": service.pending()}

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics")
    async def prometheus():
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/outputs/{task_id}/{name}", tags=["outputs"], summary="A result file (no authentication)")
    async def output(task_id: str, name: str):
        path = files.path(task_id, name)
        if path is None or not name.startswith("out_"):
            return JSONResponse({"error": {"kind": "not_found", "message": "no such output"}}, status_code=404)
        return FileResponse(path, media_type="image/jpeg" if name.endswith(".jpg") else "image/png")

    return app
