"""Bridge settings from the environment (prefix ``IB_``) or the command line (``python -m api_bridge --help``)."""

from __future__ import annotations

import json
import pathlib
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# A list setting from the environment: a JSON list, or items separated by commas.
ListSetting = Annotated[list[str], NoDecode]


def split_list(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [item.strip() for item in text.split(",") if item.strip()]
    return value


class BridgeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IB_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    api_keys: ListSetting = Field(
        default_factory=list,
        description="Keys for /bridge/v1/* (JSON list or a,b); sent as 'Authorization: Bearer K' or 'X-API-Key: K'. "
        "None configured: the native API is open (result URLs are always open: their random key is the capability).",
    )
    public_url: str | None = Field(None, description="Base URL in result links (default: from the request).")

    # ComfyUI: remote URLs, or (when empty) an embedded ComfyUI started by the bridge.
    comfy_urls: ListSetting = Field(default_factory=list, description="Remote ComfyUI servers (JSON list or a,b).")
    comfy_path: str | None = Field(None, description="ComfyUI folder (default: $COMFYUI_PATH or .comfyui/path).")
    comfy_listen: str = "127.0.0.1"
    comfy_port: int = 8188
    comfy_args: ListSetting = Field(default_factory=list, description="Extra main.py arguments (JSON list or a,b).")
    comfy_python: str | None = None
    comfy_cpu: bool | None = Field(None, description="Force --cpu (default: when CUDA is not available).")
    comfy_start_timeout: float = 180.0

    data_dir: pathlib.Path = pathlib.Path(".bridge-data")
    db_path: pathlib.Path | None = None  # default data_dir/tasks.sqlite3

    workers: int = Field(4, ge=1, description="Tasks in flight at once (spread over the ComfyUI servers).")
    queue_cap: int = Field(256, ge=1, description="Queued tasks beyond this are answered 429.")
    task_timeout: float = 600.0
    result_ttl: float = 24 * 3600.0
    input_ttl: float | None = Field(None, description="Uploaded images no task holds are deleted after (s).")
    max_attempts: int = 2
    poll_interval: float = 1.0

    model_aliases: str = Field("", description='Model name aliases, JSON: {"PICPIK General": "sd15.safetensors"}.')
    default_checkpoint: str | None = Field(None, description="Checkpoint for requests that name none.")

    allow_private_urls: bool = False
    allow_url_hosts: ListSetting = Field(
        default_factory=list, description="Hosts (host or host:port) image URLs and webhooks may reach though private."
    )
    url_timeout: float = 15.0
    max_image_bytes: int = 20 * 1024 * 1024
    max_image_pixels: int = 4096 * 4096

    webhook_secret: str | None = None
    webhook_attempts: int = 5
    webhook_backoff: float = 1.0

    log_json: bool = False
    log_level: str = "INFO"

    _lists = field_validator("api_keys", "comfy_urls", "comfy_args", "allow_url_hosts", mode="before")(split_list)

    @property
    def embedded(self) -> bool:
        return not self.comfy_urls

    def resolved_db_path(self) -> pathlib.Path:
        return self.db_path or self.data_dir / "tasks.sqlite3"
