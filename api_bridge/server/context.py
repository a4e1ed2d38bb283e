"""What a contract router gets: the task service, the image loader, settings, URL helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import Request

from ..models import ModelCatalog
from ..service import TaskService
from .images import ImageLoader
from .settings import BridgeSettings

if TYPE_CHECKING:
    from ..workflows.registry import WorkflowRegistry


@dataclass
class BridgeContext:
    service: TaskService
    images: ImageLoader
    settings: BridgeSettings
    models: ModelCatalog
    workflows: WorkflowRegistry | None = None  # the saved workflows served at /bridge/v1/workflows

    def base_url(self, request: Request) -> str:
        return (self.settings.public_url or str(request.base_url)).rstrip("/")

    def output_url(self, request: Request, key: str) -> str:
        """Stable URL of a stored output, fetchable without authentication until the task expires."""
        return self.output_url_at(self.base_url(request), key)

    @staticmethod
    def output_url_at(base_url: str, key: str) -> str:
        """The same URL from a base URL kept earlier (a webhook sent after the request that made the task)."""
        return f"{base_url.rstrip('/')}/bridge/v1/outputs/{key}"
