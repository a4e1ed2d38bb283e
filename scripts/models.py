"""List, download and verify the well-known weights of the catalog (``nodes/common/model_catalog.py``).

    bash scripts/models.sh list
    bash scripts/models.sh download lama sam-vit-b
    bash scripts/models.sh verify

Files go to the first folder ComfyUI searches for their kind (``models/<folder>/``, or an
``extra_model_paths.yaml`` entry marked ``is_default``); a file already in any searched folder
with the right size and hashes is left alone. Settings: ``IB_MODELS_BASE_URL`` fetches every file
from ``<base>/<folder>/<path>`` instead of its official URL (a mirror of a models tree);
``IB_MODELS_CATALOG`` names a JSON file of further entries in the catalog's shape (same name:
replaces). Runs only when called: nothing here is imported by the pack or a graph.
"""

import argparse
import importlib.util
import json
import logging
import os
import pathlib
import sys

from scripts.comfy_folders import ROOT, find_comfyui, load_folder_paths
from scripts.file_checks import mismatches, part_path
from scripts.model_download import DownloadError, Expected, download

log = logging.getLogger("models")


def _catalog_module():
    """The pure catalog module by file path (``nodes`` is ComfyUI's package name in this process)."""
    name = "inpaint_bridge_model_catalog"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "nodes" / "common" / "model_catalog.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def load_catalog() -> dict:
    catalog = _catalog_module()
    entries = catalog.by_name()
    extra = os.environ.get("IB_MODELS_CATALOG")
    if extra:
        try:
            data = json.loads(pathlib.Path(extra).read_text())
            entries.update(catalog.by_name(catalog.entries_from_json(data)))
        except (OSError, ValueError) as exc:
            raise SystemExit(f"IB_MODELS_CATALOG={extra}: {exc}") from None
    return entries


def file_url(f) -> str:
    base = os.environ.get("IB_MODELS_BASE_URL")
    return f"{base.rstrip('/')}/{f.folder}/{f.path}" if base else f.url


class Placement:
    """Where each catalog file is (any folder ComfyUI searches) or goes (the first of them)."""

    def __init__(self, folder_paths):
        self.folder_paths = folder_paths

    def searched(self, f) -> list[pathlib.Path]:
        return [pathlib.Path(p) for p in self.folder_paths.get_folder_paths(f.folder)]

    def existing(self, f) -> pathlib.Path | None:
        for folder in self.searched(f):
            candidate = folder / f.path
            if candidate.is_file():
                return candidate
        return None

    def target(self, f) -> pathlib.Path:
        folders = self.searched(f)
        if not folders:
            raise SystemExit(f"ComfyUI has no '{f.folder}' model folder")
        return folders[0] / f.path


def _size(n: int | None) -> str:
    if n is None:
        return "?"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _check(entry) -> str:
    if not entry.verifiable:
        return "UNVERIFIABLE"
    algos = {name for f in entry.files for name, value in (("sha256", f.sha256), ("md5", f.md5)) if value}
    return "+".join(sorted(algos, reverse=True))


def _status(entry, placement: Placement) -> str:
    present = [placement.existing(f) for f in entry.files]
    if all(p is None for p in present):
        return "missing"
    if any(p is None for p in present):
        return f"partial ({sum(p is not None for p in present)} of {len(present)} files)"
    if any(f.size is not None and p.stat().st_size != f.size for f, p in zip(entry.files, present, strict=True)):
        return "wrong size (run verify)"
    return "installed"


def cmd_list(entries: dict, placement: Placement, args) -> int:
    rows = [("NAME", "KIND", "SIZE", "CHECK", "STATUS", "FOLDER", "LICENSE")]
    for entry in entries.values():
        status = _status(entry, placement)
        if args.installed and status == "missing":
            continue
        folders = sorted({f.folder for f in entry.files})
        rows.append(
            (entry.name, entry.kind, _size(entry.size), _check(entry), status, ",".join(folders), entry.license)
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for r in rows:
        sys.stdout.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1] + "\n")
    return 0


def _unknown(names, entries) -> list[str]:
    return [n for n in names if n not in entries]


def cmd_download(entries: dict, placement: Placement, args) -> int:
    unknown = _unknown(args.names, entries)
    if unknown:
        log.error("unknown model(s): %s. Known: %s", ", ".join(unknown), ", ".join(entries))
        return 2
    refused = [n for n in args.names if not entries[n].verifiable and not args.allow_unverified]
    if refused:
        for name in refused:
            files = ", ".join(f.path for f in entries[name].files if not f.verifiable)
            log.error("%s: no published size/hash for %s; refusing (pass --allow-unverified to fetch it)", name, files)
        return 2
    failed = 0
    for name in dict.fromkeys(args.names):
        for f in entries[name].files:
            try:
                _install(f, placement, args.force)
            except DownloadError as exc:
                log.error("%s", exc)
                failed += 1
    return 1 if failed else 0


def _install(f, placement: Placement, force: bool) -> None:
    existing = placement.existing(f)
    if existing is not None and not force:
        if not f.verifiable:
            log.info("%s: present at %s (no hash to check it against)", f.path, existing)
            return
        wrong = mismatches(existing, f.size, f.sha256, f.md5)
        if not wrong:
            log.info("%s: already installed at %s (verified)", f.path, existing)
            return
        raise DownloadError(
            f"{existing} exists but does not match the catalog ({'; '.join(wrong)}); "
            "move it away or pass --force to replace it"
        )
    dest = existing or placement.target(f)
    log.info("%s -> %s", file_url(f), dest)
    download(file_url(f), dest, Expected(f.size, f.sha256, f.md5, f.source), label=f.path, progress=sys.stderr)
    log.info("%s: installed at %s", f.path, dest)


def cmd_verify(entries: dict, placement: Placement, args) -> int:
    unknown = _unknown(args.names, entries)
    if unknown:
        log.error("unknown model(s): %s. Known: %s", ", ".join(unknown), ", ".join(entries))
        return 2
    chosen = [entries[n] for n in args.names] or [e for e in entries.values() if _status(e, placement) != "missing"]
    bad = 0
    for entry in chosen:
        for f in entry.files:
            path = placement.existing(f)
            if path is None:
                log.error("%s: %s missing", entry.name, f.path)
                bad += 1
            elif not f.verifiable:
                log.warning("%s: %s present, not verifiable (no published hash)", entry.name, path)
            elif wrong := mismatches(path, f.size, f.sha256, f.md5):
                log.error("%s: %s does NOT match: %s", entry.name, path, "; ".join(wrong))
                bad += 1
            else:
                log.info("%s: %s ok", entry.name, path)
            if path is not None and part_path(path).exists():
                log.warning("%s: an unfinished download %s remains (download resumes it)", entry.name, part_path(path))
    if not chosen:
        log.info("no catalog model is installed")
    return 1 if bad else 0


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--comfyui", help="ComfyUI folder (default: $COMFYUI_PATH, or the one set up)")
    common.add_argument("--base-directory", help="as ComfyUI's --base-directory (models/ under it)")
    common.add_argument(
        "--extra-model-paths-config",
        action="append",
        default=[],
        metavar="YAML",
        help="as ComfyUI's flag; ComfyUI's own extra_model_paths.yaml beside main.py is always read",
    )
    p = argparse.ArgumentParser(prog="scripts/models.sh", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    ls = sub.add_parser("list", parents=[common], help="the catalog and what is installed")
    ls.add_argument("--installed", action="store_true", help="only models with files present")
    dl = sub.add_parser("download", parents=[common], help="fetch models by name, checked")
    dl.add_argument("names", nargs="+", metavar="NAME")
    dl.add_argument("--allow-unverified", action="store_true", help="also fetch files with no published hash")
    dl.add_argument("--force", action="store_true", help="replace a present file even if it differs")
    vf = sub.add_parser("verify", parents=[common], help="hash installed models (or the named ones)")
    vf.add_argument("names", nargs="*", metavar="NAME")
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[models] %(message)s", stream=sys.stderr)
    entries = load_catalog()
    folder_paths = load_folder_paths(find_comfyui(args.comfyui), args.base_directory, args.extra_model_paths_config)
    command = {"list": cmd_list, "download": cmd_download, "verify": cmd_verify}[args.command]
    try:
        return command(entries, Placement(folder_paths), args)
    except KeyboardInterrupt:
        log.error("interrupted; run the same command again to resume")
        return 130


if __name__ == "__main__":
    sys.exit(main())
