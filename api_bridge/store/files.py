"""Files a task needs or produced, behind a small interface (disk now; an object store later).

Names are ``<task id>/<file>``; outputs are served at ``/outputs/<task id>/<file>``
without authentication, as the contracts require.
"""

import pathlib
import re
import shutil

_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class FileStore:
    def __init__(self, root: pathlib.Path):
        self.root = pathlib.Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, task_id: str, name: str) -> pathlib.Path:
        if not _SAFE.match(task_id) or not _SAFE.match(name):
            raise ValueError(f"unsafe file name {task_id}/{name}")
        return self.root / task_id / name

    def put(self, task_id: str, name: str, data: bytes) -> str:
        path = self._path(task_id, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)
        return name

    def get(self, task_id: str, name: str) -> bytes | None:
        try:
            path = self._path(task_id, name)
        except ValueError:
            return None
        return path.read_bytes() if path.is_file() else None

    def path(self, task_id: str, name: str) -> pathlib.Path | None:
        try:
            path = self._path(task_id, name)
        except ValueError:
            return None
        return path if path.is_file() else None

    def delete_task(self, task_id: str) -> None:
        if _SAFE.match(task_id):
            shutil.rmtree(self.root / task_id, ignore_errors=True)
