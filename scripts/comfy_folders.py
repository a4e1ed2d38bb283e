"""ComfyUI's model folders as ComfyUI itself resolves them, for commands that run outside it.

The ComfyUI is found the way the other scripts find it ($COMFYUI_PATH, else the one
``scripts/setup.sh`` recorded in ``.comfyui/path``, else the ComfyUI this pack is cloned into).
Its own ``folder_paths`` and ``utils/extra_config.py`` then read ``--base-directory`` and every
``extra_model_paths.yaml`` in ComfyUI's order (the one beside ``main.py``, then the given ones),
and this pack's folders are registered by the same function the pack runs at load time.
"""

import importlib.util
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _is_comfyui(path: pathlib.Path) -> bool:
    return (path / "main.py").is_file() and (path / "folder_paths.py").is_file()


def find_comfyui(explicit: str | None = None) -> pathlib.Path:
    candidates = []
    if explicit:
        candidates.append(("--comfyui", pathlib.Path(explicit)))
    elif os.environ.get("COMFYUI_PATH"):
        candidates.append(("COMFYUI_PATH", pathlib.Path(os.environ["COMFYUI_PATH"])))
    else:
        recorded = ROOT / ".comfyui" / "path"
        if recorded.is_file():
            candidates.append((str(recorded), pathlib.Path(recorded.read_text().strip())))
        candidates.append(("the folder this pack is cloned into", ROOT.parents[1]))
    for _, path in candidates:
        if _is_comfyui(path):
            return path.resolve()
    tried = ", ".join(f"{path} ({how})" for how, path in candidates)
    raise SystemExit(f"ComfyUI not found (tried {tried}): set COMFYUI_PATH or pass --comfyui")


def load_folder_paths(comfyui: pathlib.Path, base_directory: str | None = None, extra_configs=()):
    """ComfyUI's ``folder_paths`` module, set up as ``main.py`` would set it up, plus this pack's folders."""
    if "folder_paths" in sys.modules:
        raise RuntimeError("folder_paths is already imported in this process: run the models command on its own")
    sys.path.insert(0, str(comfyui))
    from comfy.cli_args import args

    if base_directory:
        args.base_directory = os.path.abspath(base_directory)
    import folder_paths
    import utils.extra_config
    import yaml

    beside_main = comfyui / "extra_model_paths.yaml"
    configs = [beside_main] if beside_main.is_file() else []
    for config in [*configs, *map(pathlib.Path, extra_configs)]:
        try:
            utils.extra_config.load_extra_path_config(str(config))
        except (OSError, yaml.YAMLError, AttributeError, TypeError) as exc:
            raise SystemExit(f"cannot read the extra model paths config {config}: {exc}") from None
    _pack_model_folders().register()
    return folder_paths


def _pack_model_folders():
    """``nodes/model_folders.py`` by file path: the package name ``nodes`` is ComfyUI's in its process."""
    spec = importlib.util.spec_from_file_location("inpaint_bridge_model_folders", ROOT / "nodes" / "model_folders.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
