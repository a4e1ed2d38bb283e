"""Put IOPaint's web UI (``iopaint/web_app/`` of the ``iopaint==1.6.0`` wheel, Apache-2.0) where the bridge serves it.

    python -m scripts.iopaint_web [--dest DIR]

Downloads only the wheel (``pip download --no-deps``; IOPaint is never installed), checks its sha256,
and unpacks the files ``index.html`` uses — the wheel also carries an unused older bundle and a
``.DS_Store`` — with IOPaint's licence, into ``.cache/iopaint-web`` (the bridge's default
``IB_IOPAINT_WEB_DIR``). Idempotent: a folder already made from this wheel is kept.
"""

import argparse
import hashlib
import pathlib
import shutil
import subprocess
import sys
import tempfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api_bridge.contracts.iopaint.web import DEFAULT_WEB_DIR  # noqa: E402

REQUIREMENT = "iopaint==1.6.0"
WHEEL_SHA256 = "b38c6987a27ddd995da60ea7e24e033ff3326b6d3082ed11966b009faf89a878"
PREFIX = "iopaint/web_app/"
LICENSE = "IOPaint-1.6.0.dist-info/LICENSE"
UNUSED = {".DS_Store", "assets/index-01mZZypB.js", "assets/index-0foJStMW.css"}  # not referenced by index.html
STAMP = ".wheel-sha256"


def sha256(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def unpack(wheel: pathlib.Path, dest: pathlib.Path) -> int:
    """The web app's files (and the licence) into ``dest``, replaced atomically; returns the file count."""
    tmp = dest.with_name(dest.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    count = 0
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            if name.startswith(PREFIX) and not name.endswith("/") and name[len(PREFIX) :] not in UNUSED:
                out = tmp / name[len(PREFIX) :]
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(zf.read(name))
                count += 1
        (tmp / "LICENSE").write_bytes(zf.read(LICENSE))
    (tmp / STAMP).write_text(WHEEL_SHA256 + "\n")
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dest", type=pathlib.Path, default=DEFAULT_WEB_DIR)
    dest = parser.parse_args().dest
    if (
        (dest / STAMP).is_file()
        and (dest / STAMP).read_text().strip() == WHEEL_SHA256
        and (dest / "index.html").is_file()
    ):
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", tmp, REQUIREMENT], check=True)
        (wheel,) = pathlib.Path(tmp).glob("*.whl")
        got = sha256(wheel)
        if got != WHEEL_SHA256:
            raise SystemExit(f"{wheel.name}: sha256 {got}, expected {WHEEL_SHA256}; not unpacked")
        dest.parent.mkdir(parents=True, exist_ok=True)
        count = unpack(wheel, dest)
    print(f"[iopaint-web] {count} files of IOPaint's web UI in {dest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
