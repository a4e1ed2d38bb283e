"""Stand-in model files for example workflows that name weights no package registry carries.

Each provider makes a small random-weight model of the real architecture under the name the
example's loader asks for, so the example runs as loaded through the real loading code. A loader
with no provider here gets nothing: the example then fails on its missing model (never skipped).
"""

import json
import pathlib

from .test_checkpoints import write as write_checkpoint
from .tiny_models import build_grounding_dino


def _grounding_dino(models_dir: pathlib.Path, name: str) -> None:
    folder = models_dir / "grounding-dino" / name
    if not (folder / "config.json").is_file():
        build_grounding_dino(folder)


def _checkpoint(models_dir: pathlib.Path, name: str) -> None:
    # The reduced SD1.5-shaped checkpoint (noise, real loading and sampling code); 9-channel for "inpainting".
    write_checkpoint(models_dir / "checkpoints" / name, inpaint="inpainting" in name.lower())


PROVIDERS = {"IB_GroundingDinoLoader": _grounding_dino, "CheckpointLoaderSimple": _checkpoint}


def provide_example_models(models_dir: pathlib.Path, workflows: list[pathlib.Path]) -> list[str]:
    """Create every stand-in model the workflows' loaders name; returns '<loader>: <name>' for each."""
    provided = []
    for path in workflows:
        for node in json.loads(path.read_text())["nodes"]:
            provider = PROVIDERS.get(node["type"])
            if provider:
                name = node["widgets_values"][0]
                provider(models_dir, name)
                provided.append(f"{node['type']}: {name}")
    return provided
