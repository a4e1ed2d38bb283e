"""Finding model files in ComfyUI model folders and explaining what is missing.

Pure: callers pass the folder's file list and a ``full_path`` lookup, so this
module needs no ComfyUI import.
"""

from collections.abc import Callable, Iterable

from .default_weights import DEFAULT_WEIGHTS
from .model_catalog import entry_for_file

_ENCODER, _DECODER = "_encoder.onnx", "_decoder.onnx"


def onnx_pair_files(name: str) -> tuple[str, str]:
    """The two files of the ONNX pair named ``name``: ``<name>_encoder.onnx``, ``<name>_decoder.onnx``."""
    return f"{name}{_ENCODER}", f"{name}{_DECODER}"


def onnx_pairs(files: Iterable[str]) -> dict[str, tuple[str, str]]:
    """{name: (encoder, decoder)} for every complete ONNX pair among ``files``."""
    files = set(files)
    names = (f[: -len(_ENCODER)] for f in sorted(files) if f.endswith(_ENCODER))
    return {name: pair for name in names if (pair := onnx_pair_files(name))[1] in files}


def where_to_get(folder: str, filename: str) -> str:
    for w in DEFAULT_WEIGHTS:
        if w.folder == folder and w.filename == filename:
            return w.how_to_get
    name = entry_for_file(folder, filename)
    if name:
        return f"run `bash scripts/models.sh download {name}` (it fetches the official file and checks it)"
    return (
        "place the file there yourself (the models command's catalog does not list it: `bash scripts/models.sh list`)"
    )


def missing_file_error(folder: str, filename: str, searched: Iterable[str]) -> ValueError:
    places = ", ".join(searched) or f"models/{folder}"
    return ValueError(
        f"model file '{filename}' not found in the '{folder}' model folder (searched: {places}). "
        f"Expected at models/{folder}/{filename}; to get it: {where_to_get(folder, filename)}."
    )


def resolve(folder: str, filename: str, full_path: Callable[[str, str], str | None], searched: Iterable[str]) -> str:
    path = full_path(folder, filename)
    if not path:
        raise missing_file_error(folder, filename, searched)
    return path
