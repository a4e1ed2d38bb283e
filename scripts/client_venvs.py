"""Create the separate environments of the official API clients used by the e2e tests.

The clients pin their own dependencies (e.g. ``volcengine`` wants ``pycryptodome<4`` and an old
``protobuf`` API, ``novita-client`` 0.7.1 breaks with ``dataclass-wizard`` 1.0), so each Python client
lives in its own venv ``.cache/clients/<name>`` and each npm client in ``.cache/clients/<name>``
installed from its pinned ``scripts/clients/<name>/package.json`` + lock file. Idempotent: a client
already installed at the wanted version is kept.
"""

import argparse
import hashlib
import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
CLIENTS_DIR = ROOT / ".cache" / "clients"
NPM_SOURCES = ROOT / "scripts" / "clients"

# name -> (pip requirements, the first one pinned with ==; module whose import proves the install)
CLIENTS: dict[str, tuple[tuple[str, ...], str]] = {
    "volcengine": (("volcengine==1.0.229",), "volcengine.visual.VisualService"),
    "novita": (("novita-client==0.7.1", "dataclass-wizard<1.0"), "novita_client"),
    # the generated client declares urllib3<2.1 (the issue asks for it explicitly): pinned here as well
    "fooocus": (("fooocus-api-python-client==1.0.0", "urllib3<2.1"), "fooocusapi_client"),
}
# npm clients: name -> the package whose require() proves the install (pinned in scripts/clients/<name>/)
NPM_CLIENTS: dict[str, str] = {
    "novita-js": "novita-sdk",
}


def client_python(name: str) -> pathlib.Path:
    return CLIENTS_DIR / name / "bin" / "python"


def client_node_dir(name: str) -> pathlib.Path:
    return CLIENTS_DIR / name


def _ready(python: pathlib.Path, requirement: str, module: str) -> bool:
    if not python.is_file():
        return False
    package, _, version = requirement.partition("==")
    probe = f"import importlib.metadata as m, {module}; assert m.version({package!r}) == {version!r}"
    return subprocess.run([str(python), "-c", probe], capture_output=True).returncode == 0


def ensure(name: str) -> pathlib.Path:
    requirements, module = CLIENTS[name]
    python = client_python(name)
    if _ready(python, requirements[0], module):
        return python
    print(f"[clients] creating {python.parent.parent} with {' '.join(requirements)}", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(python.parent.parent)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, *requirements], check=True)
    if not _ready(python, requirements[0], module):
        raise SystemExit(f"{requirements[0]} installed but `import {module}` fails in {python}")
    return python


def _npm_stamp(source: pathlib.Path) -> str:
    return hashlib.sha256(
        (source / "package.json").read_bytes() + (source / "package-lock.json").read_bytes()
    ).hexdigest()


def ensure_npm(name: str) -> pathlib.Path:
    """``npm ci`` of the pinned package.json + lock into ``.cache/clients/<name>``."""
    source, target = NPM_SOURCES / name, client_node_dir(name)
    want = _npm_stamp(source)
    stamp = target / "stamp"
    if stamp.is_file() and stamp.read_text().strip() == want and (target / "node_modules" / NPM_CLIENTS[name]).is_dir():
        return target
    if not shutil.which("npm"):
        raise SystemExit(f"npm is required for the {name} client (install Node.js >= 20)")
    print(f"[clients] installing {target} from {source.relative_to(ROOT)}", file=sys.stderr)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for file in ("package.json", "package-lock.json"):
        shutil.copy(source / file, target / file)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=target, check=True)
    stamp.write_text(want)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    everything = [*CLIENTS, *NPM_CLIENTS]
    parser.add_argument("names", nargs="*", default=everything, help="clients to set up (default: all)")
    for name in parser.parse_args().names:
        if name in NPM_CLIENTS:
            ensure_npm(name)
        elif name in CLIENTS:
            ensure(name)
        else:
            raise SystemExit(f"unknown client {name!r}; one of {', '.join(everything)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
