"""`bash scripts/models.sh` end to end: a real ComfyUI's folder_paths and extra_model_paths.yaml, files
served by a local Range-capable server in the catalog's shape (IB_MODELS_BASE_URL), entries whose sizes
and hashes are those of the served test files (IB_MODELS_CATALOG)."""

import hashlib
import json
import os
import subprocess

import pytest

from support.paths import REPO_ROOT, comfyui_path
from support.range_server import FileServer

LAMA = os.urandom(1_300_000)
CKPT = os.urandom(200_000)
NOTES = b"no hash is published for this one\n"


def listing(data: bytes, **extra) -> dict:
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "source": "test files", **extra}


@pytest.fixture
def setup(tmp_path):
    served = tmp_path / "served"
    for rel, data in (("inpaint/big-lama.pt", LAMA), ("checkpoints/tiny-inpainting.safetensors", CKPT)):
        (served / rel).parent.mkdir(parents=True, exist_ok=True)
        (served / rel).write_bytes(data)
    (served / "inpaint" / "notes.txt").write_bytes(NOTES)
    url = "https://example.invalid/unused"  # IB_MODELS_BASE_URL replaces every URL
    catalog = [
        {  # same name and file name as the real entry; figures of the test file
            "name": "lama",
            "kind": "erase_models",
            "files": [{"folder": "inpaint", "path": "big-lama.pt", "url": url, **listing(LAMA, md5=None)}],
        },
        {
            "name": "tiny-inpainting",
            "kind": "checkpoints",
            "files": [{"folder": "checkpoints", "path": "tiny-inpainting.safetensors", "url": url, **listing(CKPT)}],
        },
        {
            "name": "wrong-hash",
            "kind": "erase_models",
            "files": [{"folder": "inpaint", "path": "big-lama.pt", "url": url, **listing(LAMA, sha256="0" * 64)}],
        },
        {
            "name": "unlisted",
            "kind": "erase_models",
            "files": [{"folder": "inpaint", "path": "notes.txt", "url": url, "size": None}],
        },
    ]
    catalog_file = tmp_path / "catalog.json"
    catalog_file.write_text(json.dumps(catalog))
    base = tmp_path / "comfy-base"
    (base / "models").mkdir(parents=True)
    shared = tmp_path / "shared"
    yaml = tmp_path / "extra_model_paths.yaml"
    yaml.write_text(f"mine:\n  base_path: {shared}\n  is_default: true\n  inpaint: inpaint\n  checkpoints: ckpts\n")
    with FileServer(served) as server:
        env = {
            **os.environ,
            "COMFYUI_PATH": str(comfyui_path()),
            "IB_MODELS_BASE_URL": server.url,
            "IB_MODELS_CATALOG": str(catalog_file),
        }

        def run(*args, yaml_config=True):
            cmd = ["bash", str(REPO_ROOT / "scripts" / "models.sh"), *args, "--base-directory", str(base)]
            if yaml_config:
                cmd += ["--extra-model-paths-config", str(yaml)]
            return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)

        yield run, server, base, shared


def test_download_lands_where_extra_model_paths_says_and_is_idempotent(setup):
    run, server, base, shared = setup
    done = run("download", "lama", "tiny-inpainting")
    assert done.returncode == 0, done.stderr
    # is_default: the yaml folder comes first, for the pack's folder and a core folder alike
    assert (shared / "inpaint" / "big-lama.pt").read_bytes() == LAMA
    assert (shared / "ckpts" / "tiny-inpainting.safetensors").read_bytes() == CKPT
    assert not (base / "models" / "inpaint" / "big-lama.pt").exists()
    assert "100%" in done.stderr and "big-lama.pt" in done.stderr  # the progress bar
    fetched = len(server.requests)

    again = run("download", "lama", "tiny-inpainting")
    assert again.returncode == 0, again.stderr
    assert "already installed" in again.stderr and len(server.requests) == fetched

    listed = run("list")
    assert listed.returncode == 0
    rows = {line.split()[0]: line for line in listed.stdout.splitlines()[1:]}
    assert "installed" in rows["lama"] and "missing" in rows["sam-vit-b"]
    assert "UNVERIFIABLE" in rows["unlisted"]


def test_without_extra_paths_files_go_to_the_base_directory_models(setup):
    run, server, base, shared = setup
    done = run("download", "lama", yaml_config=False)
    assert done.returncode == 0, done.stderr
    assert (base / "models" / "inpaint" / "big-lama.pt").read_bytes() == LAMA
    assert not shared.exists()


def test_a_dropped_transfer_is_resumed_by_range(setup):
    run, server, base, shared = setup
    server.cut_after["/inpaint/big-lama.pt"] = 400_000
    done = run("download", "lama")
    assert done.returncode == 0, done.stderr
    assert (shared / "inpaint" / "big-lama.pt").read_bytes() == LAMA
    assert [r.range for r in server.requests_for("/inpaint/big-lama.pt")] == [None, "bytes=400000-"]


def test_mismatches_are_refused_and_reported(setup):
    run, server, base, shared = setup
    refused = run("download", "wrong-hash")
    assert refused.returncode == 1
    assert "does not match the catalog" in refused.stderr and "expected 0000" in refused.stderr
    assert not any((shared / "inpaint").glob("big-lama.pt*"))  # neither the file nor its .part

    assert run("download", "lama").returncode == 0
    target = shared / "inpaint" / "big-lama.pt"
    target.write_bytes(b"x" + LAMA[1:])  # corrupted in place, same size
    checked = run("verify", "lama")
    assert checked.returncode == 1 and "does NOT match" in checked.stderr
    kept = run("download", "lama")
    assert kept.returncode == 1 and "pass --force" in kept.stderr
    assert run("download", "lama", "--force").returncode == 0
    assert target.read_bytes() == LAMA
    assert run("verify", "lama").returncode == 0


def test_unverifiable_files_need_an_explicit_flag(setup):
    run, server, base, shared = setup
    refused = run("download", "unlisted")
    assert refused.returncode == 2 and "--allow-unverified" in refused.stderr
    assert server.requests == []
    allowed = run("download", "unlisted", "--allow-unverified")
    assert allowed.returncode == 0, allowed.stderr
    assert (shared / "inpaint" / "notes.txt").read_bytes() == NOTES


def test_unknown_names_and_unreadable_configs_are_clear_errors(setup, tmp_path):
    run, *_ = setup
    done = run("download", "lama-xl")
    assert done.returncode == 2 and "unknown model(s): lama-xl" in done.stderr and "sam-vit-b" in done.stderr
    missing = run("list", "--extra-model-paths-config", str(tmp_path / "nope.yaml"), yaml_config=False)
    assert missing.returncode == 1 and "cannot read the extra model paths config" in missing.stderr
    assert "Traceback" not in missing.stderr
