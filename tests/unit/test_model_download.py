"""The download engine against a local server with Range support: progress, resume, refusal, placement."""

import hashlib
import io
import os

import pytest

from scripts.file_checks import part_path
from scripts.model_download import ChecksumMismatchError, DownloadError, Expected, download
from support.range_server import FileServer

DATA = os.urandom(3 * (1 << 20) + 12345)  # a few chunks, not a multiple of the chunk size


def expected_for(data: bytes, **override) -> Expected:
    values = {
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "md5": hashlib.md5(data).hexdigest(),
        "source": "test listing",
    }
    values.update(override)
    return Expected(**values)


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "served"
    (root / "inpaint").mkdir(parents=True)
    (root / "inpaint" / "big-lama.pt").write_bytes(DATA)
    with FileServer(root) as s:
        yield s


def test_streams_with_progress_and_lands_atomically(server, tmp_path):
    dest = tmp_path / "models" / "inpaint" / "big-lama.pt"
    progress = io.StringIO()
    download(f"{server.url}/inpaint/big-lama.pt", dest, expected_for(DATA), progress=progress)
    assert dest.read_bytes() == DATA
    assert not part_path(dest).exists()
    text = progress.getvalue()
    assert "big-lama.pt" in text and "100%" in text
    assert [r.range for r in server.requests] == [None]


def test_a_dropped_connection_resumes_with_a_range_request(server, tmp_path):
    cut = 1_500_000
    server.cut_after["/inpaint/big-lama.pt"] = cut
    dest = tmp_path / "big-lama.pt"
    download(f"{server.url}/inpaint/big-lama.pt", dest, expected_for(DATA), progress=io.StringIO())
    assert dest.read_bytes() == DATA
    assert [r.range for r in server.requests_for("/inpaint/big-lama.pt")] == [None, f"bytes={cut}-"]


def test_a_part_file_left_by_an_earlier_run_is_resumed_not_restarted(server, tmp_path):
    dest = tmp_path / "big-lama.pt"
    part_path(dest).write_bytes(DATA[:1000])
    download(f"{server.url}/inpaint/big-lama.pt", dest, expected_for(DATA), progress=io.StringIO())
    assert dest.read_bytes() == DATA
    assert [r.range for r in server.requests] == ["bytes=1000-"]


def test_a_complete_part_file_is_checked_without_fetching_again(server, tmp_path):
    dest = tmp_path / "big-lama.pt"
    part_path(dest).write_bytes(DATA)
    download(f"{server.url}/inpaint/big-lama.pt", dest, expected_for(DATA), progress=io.StringIO())
    assert dest.read_bytes() == DATA and server.requests == []


def test_a_hash_mismatch_is_refused_and_the_temporary_file_deleted(server, tmp_path):
    dest = tmp_path / "big-lama.pt"
    wrong = expected_for(DATA, sha256="0" * 64, source="IOPaint's pin")
    with pytest.raises(ChecksumMismatchError, match=r"sha256 [0-9a-f]{64}, expected 0{64}.*IOPaint's pin"):
        download(f"{server.url}/inpaint/big-lama.pt", dest, wrong, progress=io.StringIO())
    assert not dest.exists() and not part_path(dest).exists()


def test_an_md5_only_listing_is_checked_too(server, tmp_path):
    dest = tmp_path / "big-lama.pt"
    with pytest.raises(ChecksumMismatchError, match="md5"):
        download(
            f"{server.url}/inpaint/big-lama.pt",
            dest,
            Expected(None, None, "f" * 32),
            progress=io.StringIO(),
        )
    assert not dest.exists()
    download(f"{server.url}/inpaint/big-lama.pt", dest, Expected(None, None, hashlib.md5(DATA).hexdigest()))
    assert dest.read_bytes() == DATA


def test_a_server_announcing_another_size_is_refused_before_the_transfer(server, tmp_path):
    dest = tmp_path / "big-lama.pt"
    with pytest.raises(DownloadError, match=f"has {len(DATA)} bytes but the catalog lists 10"):
        download(f"{server.url}/inpaint/big-lama.pt", dest, expected_for(DATA, size=10), progress=io.StringIO())
    assert not dest.exists() and not part_path(dest).exists()


def test_a_missing_file_is_a_clear_error(server, tmp_path):
    with pytest.raises(DownloadError, match="HTTP 404"):
        download(f"{server.url}/inpaint/nope.pt", tmp_path / "nope.pt", expected_for(DATA), progress=io.StringIO())


def test_a_longer_part_than_the_server_file_restarts_from_zero(server, tmp_path):
    dest = tmp_path / "big-lama.pt"
    part_path(dest).write_bytes(DATA + b"junk")
    download(f"{server.url}/inpaint/big-lama.pt", dest, expected_for(DATA, size=None), progress=io.StringIO())
    assert dest.read_bytes() == DATA
    assert [r.range for r in server.requests] == [f"bytes={len(DATA) + 4}-", None]
