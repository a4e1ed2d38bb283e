"""Copy files into a folder without touching the ones already there."""

import pathlib
import shutil


def copy_missing(source: pathlib.Path, destination: pathlib.Path) -> list[pathlib.Path]:
    """Copy each file of ``source`` (not recursive) that ``destination`` lacks; returns the new paths.

    An existing file of the same name is kept as it is, even if it differs: it may be the user's.
    """
    if not source.is_dir():
        return []
    destination.mkdir(parents=True, exist_ok=True)
    copied = []
    for item in sorted(source.iterdir()):
        target = destination / item.name
        if item.is_file() and not target.exists():
            shutil.copyfile(item, target)
            copied.append(target)
    return copied
