"""Bridge settings from the environment (``INPAINT_BRIDGE_*``) or the command line."""

from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INPAINT_BRIDGE_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None  # base of result URLs; default http://host:port

    comfy_mode: Literal["embedded", "remote"] = "embedded"
    comfy_urls: list[str] = []  # remote mode: one or more ComfyUI servers
    comfy_path: str | None = None  # embedded: ComfyUI folder (default: $COMFYUI_PATH or set-up's)
    comfy_port: int = 8188  # embedded: where its UI and API listen
    comfy_base_dir: str | None = None  # embedded: private input/output/user folders (optional)
    comfy_threads: int | None = None  # embedded: OMP_NUM_THREADS for the ComfyUI process

    data_dir: str = ".bridge-data"
    queue_cap: int = 64  # queued + running tasks before new ones get 429
    task_ttl_s: float = 24 * 3600
    task_timeout_s: float = 600
    max_retries: int = 1  # re-run a task whose ComfyUI died under it
    workers_per_comfy: int = 1

    allow_private_urls: bool = False  # image URLs on private/loopback addresses
    api_keys: list[str] = []  # optional keys for contracts that take one
    webhook_secret: str = ""  # HMAC-SHA256 key for webhook signatures

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
