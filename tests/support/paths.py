"""Where the repository, its venv and the ComfyUI it was set up with live."""

import os
import pathlib

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]


def comfyui_path() -> pathlib.Path:
    """ComfyUI used by the tests: $COMFYUI_PATH, else the one scripts/setup.sh recorded."""
    env = os.environ.get("COMFYUI_PATH")
    if env:
        return pathlib.Path(env).resolve()
    recorded = REPO_ROOT / ".comfyui" / "path"
    if recorded.is_file():
        return pathlib.Path(recorded.read_text().strip())
    raise RuntimeError("ComfyUI not found: run `bash scripts/setup.sh` or set COMFYUI_PATH")


def default_models_dir() -> pathlib.Path:
    return comfyui_path() / "models"
