"""Makes the example workflows run as loaded: their input images go into ComfyUI's input folder.

ComfyUI lists ``example_workflows/*.json`` as this pack's templates, but ``LoadImage`` only
finds files in the input folder. So when the pack loads it copies every missing
``example_workflows/input/*`` file there (a few small pictures, no download). Doing it here
rather than in ``scripts/setup.sh`` covers every way the pack is installed (ComfyUI-Manager,
a plain clone into ``custom_nodes/``, a ``--input-directory`` or ``--base-directory`` of the
user's), and never overwrites a file the user has under the same name (the names start with
``ib_example_`` to keep clear of theirs).
"""

import logging
import pathlib

import folder_paths

from .common.copy_missing import copy_missing

log = logging.getLogger(__name__)
EXAMPLE_INPUTS = pathlib.Path(__file__).resolve().parents[1] / "example_workflows" / "input"


def install() -> list[pathlib.Path]:
    """Copy the example inputs that ComfyUI's input folder lacks; a failure is logged, never raised."""
    try:
        copied = copy_missing(EXAMPLE_INPUTS, pathlib.Path(folder_paths.get_input_directory()))
    except OSError as exc:  # a read-only input folder must not stop the pack from loading
        log.warning("could not copy the example workflow inputs into ComfyUI's input folder: %s", exc)
        return []
    if copied:
        log.info("copied %d example input image(s) into %s", len(copied), copied[0].parent)
    return copied
