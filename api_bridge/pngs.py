"""PNG bytes the bridge stores: their size from the header, and ComfyUI's metadata chunks removed.

ComfyUI writes the whole prompt (and the UI workflow) into every PNG's text chunks; results a
contract hands to its clients carry none of the bridge's internals (graph, upload names).
"""

from __future__ import annotations

import struct

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_TEXT_CHUNKS = {b"tEXt", b"iTXt", b"zTXt"}


def is_png(data: bytes) -> bool:
    return data[:8] == SIGNATURE


def png_size(data: bytes) -> tuple[int | None, int | None]:
    if is_png(data) and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None, None


def without_text_chunks(data: bytes) -> bytes:
    """The same image without tEXt/iTXt/zTXt chunks (pixels and every other chunk byte for byte)."""
    if not is_png(data):
        return data
    out, pos = bytearray(SIGNATURE), 8
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        end = pos + 12 + length
        if data[pos + 4 : pos + 8] not in _TEXT_CHUNKS:
            out += data[pos:end]
        pos = end
    return bytes(out) if pos == len(data) else data  # a truncated file is left as it came
