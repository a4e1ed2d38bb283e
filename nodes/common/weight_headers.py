"""What a weight file holds, read without loading a tensor or running a pickle.

- ``safetensors_shapes``: tensor names and shapes from a safetensors file's JSON header
  (8-byte length, then the header; the tensor data is never read);
- ``pickle_strings``: the strings in a PyTorch file's pickle (the state-dict keys of a
  ``torch.save`` file, the attribute names of a TorchScript archive), scanned opcode by
  opcode with ``pickletools`` (nothing is unpickled, so nothing can execute);
- ``is_torchscript``: a zip archive holding TorchScript code rather than a plain state dict.
"""

import io
import json
import pickletools
import struct
import zipfile

MAX_HEADER_BYTES = 100 << 20  # safetensors caps its header at 100 MB
MAX_PICKLE_BYTES = 64 << 20
_STRING_OPS = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "STRING", "SHORT_BINSTRING", "BINSTRING"}


def safetensors_shapes(path: str) -> dict[str, list[int]]:
    """Tensor name -> shape; raises ValueError when the file is not safetensors."""
    with open(path, "rb") as fh:
        head = fh.read(8)
        if len(head) < 8:
            raise ValueError(f"{path} is too short for a safetensors file")
        (length,) = struct.unpack("<Q", head)
        if not 2 <= length <= MAX_HEADER_BYTES:
            raise ValueError(f"{path} has no safetensors header (length {length})")
        raw = fh.read(length)
    if len(raw) < length:
        raise ValueError(f"{path}: safetensors header cut short")
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: unreadable safetensors header ({exc})") from None
    if not isinstance(header, dict):
        raise ValueError(f"{path}: safetensors header is not an object")
    return {
        name: list(info.get("shape", []))
        for name, info in header.items()
        if name != "__metadata__" and isinstance(info, dict)
    }


def _zip_pickle(zf: zipfile.ZipFile) -> bytes | None:
    names = [n for n in zf.namelist() if n == "data.pkl" or n.endswith("/data.pkl")]
    if not names:
        return None
    info = zf.getinfo(min(names, key=len))  # the archive's own, not a nested one
    return zf.read(info) if info.file_size <= MAX_PICKLE_BYTES else None


def _strings(stream, pickles: int) -> set[str]:
    found: set[str] = set()
    for _ in range(pickles):
        try:
            for opcode, arg, _ in pickletools.genops(stream):
                if opcode.name in _STRING_OPS:
                    found.add(arg if isinstance(arg, str) else arg.decode("latin-1"))
        except (ValueError, EOFError, struct.error, UnicodeDecodeError):
            break
    return found


def pickle_strings(path: str) -> set[str]:
    """Strings of a ``torch.save`` zip / TorchScript archive (``data.pkl``), or of a legacy ``torch.save``
    stream (magic number, protocol, system info, then the object: four pickles). Empty when neither."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            data = _zip_pickle(zf)
        return _strings(io.BytesIO(data), 1) if data is not None else set()
    with open(path, "rb") as fh:
        return _strings(fh, 4)


def is_torchscript(path: str) -> bool:
    """TorchScript archives are zip files holding a ``constants.pkl``/``code/`` tree."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as zf:
        return any(n.endswith("constants.pkl") or "/code/" in n for n in zf.namelist())
