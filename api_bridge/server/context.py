"""What a contract router gets: the task service, the image loader, settings, URL helpers."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from ..models import ModelCatalog
from ..service import TaskService
from .images import ImageLoader
from .settings import BridgeSettings


@dataclass
class BridgeContext:
    service: TaskService
    images: ImageLoader
    settings: BridgeSettings
    models: ModelCatalog

    def base_url(self, request: Request) -> str:
        return (self.settings.public_url or str(request.base_url)).rstrip("/")

    def output_url(self, request: Request, key: str) -> str:
        """Stable URL of a stored output, fetchable without authentication until the task expires."""
        return f"{self.base_url(request)}/bridge/v1/outputs/{key}"
