"""Create the separate virtual environments of the official API clients used by the e2e tests.

The clients pin their own dependencies (e.g. ``volcengine`` wants ``pycryptodome<4`` and
an old ``protobuf`` API), so each lives in ``.cache/clients/<name>`` instead of the
project's venv. Idempotent: a client already installed at the wanted version is kept.
"""

import argparse
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
CLIENTS_DIR = ROOT / ".cache" / "clients"

# name -> (pip requirement, module whose import proves the install, pins it needs beside)
CLIENTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "volcengine": ("volcengine==1.0.229", "volcengine.visual.VisualService", ()),
    # the generated client declares urllib3<2.1 (the issue asks for it explicitly): pinned here as well
    "fooocus": ("fooocus-api-python-client==1.0.0", "fooocusapi_client", ("urllib3<2.1",)),
}


def client_python(name: str) -> pathlib.Path:
    return CLIENTS_DIR / name / "bin" / "python"


def _ready(python: pathlib.Path, requirement: str, module: str) -> bool:
    if not python.is_file():
        return False
    package, _, version = requirement.partition("==")
    probe = f"import importlib.metadata as m, {module}; assert m.version({package!r}) == {version!r}"
    return subprocess.run([str(python), "-c", probe], capture_output=True).returncode == 0


def ensure(name: str) -> pathlib.Path:
    requirement, module, extra = CLIENTS[name]
    python = client_python(name)
    if _ready(python, requirement, module):
        return python
    print(f"[clients] creating {python.parent.parent} with {requirement}", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(python.parent.parent)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, requirement, *extra], check=True)
    if not _ready(python, requirement, module):
        raise SystemExit(f"{requirement} installed but `import {module}` fails in {python}")
    return python


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", default=list(CLIENTS), help="clients to set up (default: all)")
    for name in parser.parse_args().names:
        ensure(name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
