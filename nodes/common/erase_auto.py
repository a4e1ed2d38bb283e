"""The erase engine ``auto``: the best engine this machine has, as IOPaint defaults to LaMa.

An erase model given to the node wins; else a LaMa file installed in ``models/inpaint`` (the catalog's
``big-lama.pt`` / ``fooocus_lama.safetensors`` first, then any file whose layers are LaMa's); else the
weight-free ``exemplar`` engine. MAT and MI-GAN files are not chosen by ``auto``: LaMa is the model
IOPaint and the contracts' services default to.
"""

from collections.abc import Callable, Iterable

from .model_catalog import entry_for_file
from .model_facts import inpaint_facts

AUTO = "auto"
FALLBACK = "exemplar"
FOLDER = "inpaint"
CATALOG_LAMA = ("lama", "lama-safetensors")  # in order of preference


def lama_file(files: Iterable[str], full_path: Callable[[str], str | None]) -> str | None:
    """The installed LaMa file ``auto`` uses, or None. ``files`` are names in models/inpaint."""
    files = list(files)
    catalog = {f: entry_for_file(FOLDER, f) for f in files}
    preferred = sorted((f for f in files if catalog[f] in CATALOG_LAMA), key=lambda f: CATALOG_LAMA.index(catalog[f]))
    for name in [*preferred, *sorted(f for f in files if f not in preferred)]:
        path = full_path(name)
        if not path:
            continue
        kind = inpaint_facts(path)["kind"]
        # A catalog LaMa name counts unless its layers say it is something else.
        if kind == "lama" or (kind is None and catalog[name] in CATALOG_LAMA):
            return name
    return None
