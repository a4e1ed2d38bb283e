"""Checking and placing fetched files: streamed digests, the comparison against what a
publisher lists, and the atomic move into place. Shared by the set-up's weight fetcher
(``fetch_weights``) and the models command (``models``), so both check files the same way.
"""

import hashlib
import os
import pathlib

CHUNK = 1 << 20


def digests(path: pathlib.Path, algorithms: tuple[str, ...] = ("sha256",)) -> dict[str, str]:
    """Hex digests of a file, read once in chunks however many algorithms are asked for."""
    hashers = {name: hashlib.new(name) for name in algorithms}
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            for hasher in hashers.values():
                hasher.update(chunk)
    return {name: hasher.hexdigest() for name, hasher in hashers.items()}


def sha256_of(path: pathlib.Path) -> str:
    return digests(path)["sha256"]


def mismatches(path: pathlib.Path, size: int | None, sha256: str | None = None, md5: str | None = None) -> list[str]:
    """What differs between a file and the expected size and hashes (each given one checked); [] when it matches."""
    actual_size = path.stat().st_size
    if size is not None and actual_size != size:
        return [f"size {actual_size} bytes, expected {size}"]
    expected = {name: value for name, value in (("sha256", sha256), ("md5", md5)) if value}
    found = digests(path, tuple(expected)) if expected else {}
    return [f"{name} {found[name]}, expected {value}" for name, value in expected.items() if found[name] != value]


def part_path(dest: pathlib.Path) -> pathlib.Path:
    """Where a file is assembled before it is checked: beside its destination, so the final move is a rename."""
    return dest.with_name(dest.name + ".part")


def move_into_place(part: pathlib.Path, dest: pathlib.Path) -> pathlib.Path:
    """Atomic on one file system: readers see the old file or the complete new one, never a half."""
    with open(part, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(part, dest)
    return dest
