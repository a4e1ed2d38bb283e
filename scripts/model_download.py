"""One file over HTTP(S), safely: streamed into ``<name>.part`` beside its destination with a
progress bar, resumed with a ``Range`` request after an interruption (within a run, and by the
next run), checked for size and hashes, then moved into place atomically. A file that does not
match is refused and its temporary copy deleted. No ComfyUI import: callers pass the paths.
"""

import logging
import pathlib
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException

from tqdm import tqdm

from scripts.file_checks import mismatches, move_into_place, part_path

log = logging.getLogger("models")

USER_AGENT = "inpaint-bridge-models/1"
CHUNK = 1 << 20


class DownloadError(RuntimeError):
    """The transfer failed (network, HTTP status, or a server that announces another size)."""


class ChecksumMismatchError(DownloadError):
    """The complete file is not the one the catalog lists."""


@dataclass(frozen=True)
class Expected:
    size: int | None
    sha256: str | None
    md5: str | None
    source: str = ""


def _open(url: str, offset: int, timeout: float):
    headers = {"User-Agent": USER_AGENT}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)  # noqa: S310


def _resume_offset(response, offset: int) -> int:
    """Where the body starts: ``offset`` when the server honoured the range, 0 when it sent the whole file."""
    if response.status == 206:
        content_range = response.headers.get("Content-Range", "")
        start = content_range.removeprefix("bytes ").split("-", 1)[0]
        if not start.isdigit() or int(start) != offset:
            raise DownloadError(f"server answered range {offset}- with {content_range!r}")
        return offset
    return 0


def _total(response, start: int) -> int | None:
    length = response.headers.get("Content-Length")
    return start + int(length) if length and length.isdigit() else None


def _transfer(url: str, part: pathlib.Path, expected: Expected, label: str, timeout: float, progress) -> None:
    """One attempt: append what the server sends to ``part``. Raises OSError/HTTPException when cut short."""
    offset = part.stat().st_size if part.exists() else 0
    if expected.size is not None and offset > expected.size:
        part.unlink()  # longer than the file can be: not a prefix of it
        offset = 0
    if expected.size is not None and offset == expected.size:
        return  # complete already (a run that ended before the checks): the checks decide
    try:
        response = _open(url, offset, timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:
            if exc.headers.get("Content-Range", "") == f"bytes */{offset}":
                return  # the part is the whole file
            part.unlink()  # longer than the server's file
            raise ConnectionError("the partial file is longer than the server's; starting again") from exc
        raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    with response:
        start = _resume_offset(response, offset)
        total = _total(response, start)
        if expected.size is not None and total is not None and total != expected.size:
            part.unlink(missing_ok=True)
            raise DownloadError(
                f"{url} has {total} bytes but the catalog lists {expected.size} ({expected.source}); not downloaded"
            )
        mode = "ab" if start else "wb"
        with (
            open(part, mode) as out,
            tqdm(
                total=total,
                initial=start,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=label,
                file=progress,
                mininterval=0.5,
                leave=True,
            ) as bar,
        ):
            for chunk in iter(lambda: response.read(CHUNK), b""):
                out.write(chunk)
                bar.update(len(chunk))
        received = part.stat().st_size
        if total is not None and received < total:
            raise ConnectionError(f"connection closed after {received} of {total} bytes")


def download(
    url: str,
    dest: pathlib.Path,
    expected: Expected,
    *,
    label: str | None = None,
    retries: int = 3,
    timeout: float = 60.0,
    progress=None,
) -> pathlib.Path:
    """``url`` at ``dest``, checked; resumes a ``.part`` file left by an earlier attempt."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(dest)
    label = label or dest.name
    for attempt in range(retries + 1):
        try:
            _transfer(url, part, expected, label, timeout, progress)
            break
        except (OSError, HTTPException) as exc:
            if isinstance(exc, urllib.error.HTTPError) or attempt == retries:
                have = part.stat().st_size if part.exists() else 0
                raise DownloadError(
                    f"{label}: transfer interrupted after {have} bytes ({exc}); run the command again to resume"
                ) from exc
            log.warning("%s: %s; resuming (attempt %d of %d)", label, exc, attempt + 2, retries + 1)
            time.sleep(min(0.5 * (attempt + 1), 3.0))
    wrong = mismatches(part, expected.size, expected.sha256, expected.md5)
    if wrong:
        part.unlink()
        raise ChecksumMismatchError(
            f"{label}: the downloaded file does not match the catalog ({'; '.join(wrong)}; "
            f"source: {expected.source or 'catalog'}). The partial file was deleted and nothing was installed."
        )
    return move_into_place(part, dest)
