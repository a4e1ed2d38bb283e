"""Make CUDA-built torchvision/torchaudio usable on a CPU-only torch (set-up step).

Installs ``torchvision_cpu_hook`` into the venv's site-packages through a ``.pth``
file, and hides torchaudio's native libraries when they cannot load, so
``import torchaudio`` falls back to its pure-Python parts. Detects the case: on a
machine where the native libraries load, nothing is hidden and the hook is inert.
"""

import argparse
import pathlib
import shutil
import subprocess
import sys

HOOK_NAME = "_inpaint_bridge_torchvision_hook"


def site_packages(venv: pathlib.Path) -> pathlib.Path:
    out = subprocess.check_output(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        text=True,
    )
    return pathlib.Path(out.strip())


def install_hook(site: pathlib.Path) -> None:
    src = pathlib.Path(__file__).with_name("torchvision_cpu_hook.py")
    dest = site / f"{HOOK_NAME}.py"
    if not dest.exists() or dest.read_bytes() != src.read_bytes():
        shutil.copyfile(src, dest)
    (site / f"{HOOK_NAME}.pth").write_text(f"import {HOOK_NAME}\n")


def native_library_loads(python: str, path: pathlib.Path) -> bool:
    code = f"import torch, ctypes; ctypes.CDLL({str(path)!r})"
    return subprocess.run([python, "-c", code], capture_output=True).returncode == 0


def hide_broken_torchaudio_libs(python: str, site: pathlib.Path) -> list[str]:
    hidden = []
    lib_dir = site / "torchaudio" / "lib"
    for so in sorted(lib_dir.glob("*.so")) if lib_dir.is_dir() else []:
        if not native_library_loads(python, so):
            so.rename(so.with_name(so.name + ".cpu-disabled"))
            hidden.append(so.name)
    return hidden


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["install"])
    parser.add_argument("venv", type=pathlib.Path)
    args = parser.parse_args()
    python = str(args.venv / "bin" / "python")
    site = site_packages(args.venv)
    install_hook(site)
    hidden = hide_broken_torchaudio_libs(python, site)
    if hidden:
        print(f"[setup] torchaudio: hid native libraries that need CUDA: {', '.join(hidden)}", file=sys.stderr)
    check = subprocess.run(
        [python, "-c", "import torchvision, torch; torchvision.ops.nms(torch.rand(4,4), torch.rand(4), 0.5)"],
        capture_output=True,
        text=True,
    )
    if check.returncode != 0:
        print(check.stderr, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
