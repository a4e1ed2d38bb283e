"""The registered workflows: files from folders and from ComfyUI's saved workflows, each checked on arrival.

Sources (``IB_WORKFLOWS_DIR``, in order; the first file of a name wins):

* a folder path: its ``*.json`` files (default: the pack's ``example_workflows/``);
* ``comfyui:<folder>``: a folder of ComfyUI's user data, read through its ``/userdata`` API (default
  ``comfyui:workflows``, where the UI's Save puts workflows), so a remote ComfyUI works the same.

A file is parsed (UI or API format), converted and checked against the server's ``/object_info`` when
it appears or changes, and again when the server's node list changes. A workflow whose nodes are not
installed, whose models are missing or whose values do not fit is listed as unavailable with the
reason; it is not served until that is fixed. Refreshes are cheap (a stat per file, one ``/userdata``
listing) and happen before each request to the workflow routes and in the background.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import pathlib
import re
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel

from ..errors import BridgeError
from ..graph import ObjectInfo
from .checks import check_prompt
from .convert import WorkflowError
from .schema import request_model
from .spec import IMAGE_NODES, WorkflowSpec, parse

log = logging.getLogger(__name__)
COMFY_PREFIX = "comfyui:"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def workflow_name(relative: str) -> str:
    """A route-safe name for a file: its path without ``.json``, folders joined by dots, odd characters as ``_``."""
    stem = relative[:-5] if relative.lower().endswith(".json") else relative
    return ".".join(_UNSAFE.sub("_", part).strip("_") or "_" for part in stem.split("/"))


class Source(Protocol):
    label: str

    async def listing(self) -> list[tuple[str, str, Any]]:
        """(name, location, signature) of every workflow file; the signature changes when the file does."""

    async def read(self, location: str) -> bytes: ...


class FolderSource:
    def __init__(self, path: pathlib.Path):
        self.path = path
        self.label = str(path)

    async def listing(self) -> list[tuple[str, str, Any]]:
        def scan() -> list[tuple[str, str, Any]]:
            if not self.path.is_dir():
                return []
            found = []
            for file in sorted(self.path.glob("*.json")):
                stat = file.stat()
                found.append((workflow_name(file.name), str(file), (stat.st_mtime_ns, stat.st_size)))
            return found

        return await asyncio.to_thread(scan)

    async def read(self, location: str) -> bytes:
        return await asyncio.to_thread(pathlib.Path(location).read_bytes)


class ComfyUserSource:
    """Workflows saved in ComfyUI (its user data folder), read over its API from the executor's servers."""

    def __init__(self, executor: Any, folder: str = "workflows"):
        self.executor, self.folder = executor, folder.strip("/") or "workflows"
        self.label = f"{COMFY_PREFIX}{self.folder}"

    async def listing(self) -> list[tuple[str, str, Any]]:
        files = await self.executor.user_files(self.folder)
        return [
            (workflow_name(f["path"]), f"{self.folder}/{f['path']}", (f.get("size"), f.get("modified")))
            for f in sorted(files, key=lambda f: f["path"])
            if f["path"].lower().endswith(".json")
        ]

    async def read(self, location: str) -> bytes:
        return await self.executor.user_file(location)


def make_sources(entries: list[str], executor: Any) -> list[Source]:
    sources: list[Source] = []
    for entry in entries:
        if entry.startswith(COMFY_PREFIX):
            sources.append(ComfyUserSource(executor, entry[len(COMFY_PREFIX) :]))
        else:
            sources.append(FolderSource(pathlib.Path(entry).expanduser()))
    return sources


@dataclass
class Workflow:
    """One registered workflow: where it came from, what it takes and gives, or why it cannot run."""

    name: str
    source: str  # the source's label
    location: str
    signature: Any
    digest: str
    data: Any = None
    spec: WorkflowSpec | None = None
    model: type[BaseModel] | None = None
    reason: str | None = None  # why it is unavailable
    node_id: str | None = None
    node_type: str | None = None
    checked_with: Any = field(default=None, repr=False)  # the ObjectInfo it was checked against

    @property
    def available(self) -> bool:
        return self.reason is None and self.spec is not None


class WorkflowRegistry:
    def __init__(self, sources: list[Source], executor: Any, *, interval: float = 10.0, min_age: float = 1.0):
        self.sources, self.executor = sources, executor
        self.interval, self.min_age = interval, min_age
        self.workflows: dict[str, Workflow] = {}
        self.skipped: list[dict[str, str]] = []  # files not registered (a name taken by an earlier source)
        self.version = 0  # bumped whenever the set or a workflow changes (OpenAPI is rebuilt then)
        self._lock = asyncio.Lock()
        self._refreshed = 0.0
        self._checked = False  # the last refresh had the server's node list
        self._task: asyncio.Task | None = None

    # --- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        await self.refresh(force=True)
        self._task = asyncio.create_task(self._loop(), name="workflow-registry")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            # Until ComfyUI has answered once (remote servers connect after the bridge starts), look often.
            await asyncio.sleep(self.interval if self._checked else min(self.interval, 0.5))
            try:
                await self.refresh()
            except Exception:  # never let a bad file stop the refreshes
                log.exception("refreshing the workflows failed")

    # --- lookups ---------------------------------------------------------------------------
    async def get(self, name: str, *, recheck: bool = False) -> Workflow | None:
        """The workflow after a refresh; ``recheck``: refetch the server's node list first if it is a few s old
        (for an unavailable workflow whose model may have been added since)."""
        await self.refresh(recheck=recheck)
        return self.workflows.get(name)

    # --- refresh ---------------------------------------------------------------------------
    async def refresh(self, *, force: bool = False, recheck: bool = False) -> bool:
        """Re-read what changed; True when anything did."""
        async with self._lock:
            fresh = time.monotonic() - self._refreshed < self.min_age
            if fresh and self._checked and not force and not recheck:
                return False
            if recheck:
                for server in getattr(self.executor, "servers", []):
                    server.forget_object_info(older_than=2.0)
            changed = await self._refresh()
            self._refreshed = time.monotonic()
            if changed:
                self.version += 1
            return changed

    async def _refresh(self) -> bool:
        try:
            object_info: ObjectInfo | None = await self.executor.object_info()
            unreachable = None
        except BridgeError as exc:
            object_info, unreachable = None, exc.info.message
        self._checked = object_info is not None
        found: dict[str, Workflow] = {}
        skipped: list[dict[str, str]] = []
        for source in self.sources:
            try:
                files = await source.listing()
            except (BridgeError, OSError) as exc:  # keep what this source had (ComfyUI restarting)
                log.warning("workflow source %s unreadable: %s", source.label, exc)
                for name, wf in self.workflows.items():
                    if wf.source == source.label and name not in found:
                        found[name] = wf
                continue
            for name, location, signature in files:
                if name in found:
                    skipped.append(
                        {"location": location, "reason": f"the name {name!r} is taken by {found[name].location}"}
                    )
                    continue
                found[name] = await self._load(source, name, location, signature, object_info, unreachable)
        changed = found.keys() != self.workflows.keys() or any(found[n] is not self.workflows.get(n) for n in found)
        if changed:
            for name, wf in found.items():
                if wf is not self.workflows.get(name):
                    state = "available" if wf.available else f"unavailable: {wf.reason}"
                    log.info("workflow %s (%s): %s", name, wf.location, state)
        self.workflows, self.skipped = found, skipped
        return changed

    async def _load(
        self,
        source: Source,
        name: str,
        location: str,
        signature: Any,
        object_info: ObjectInfo | None,
        unreachable: str | None,
    ) -> Workflow:
        previous = self.workflows.get(name)
        same_file = previous is not None and (previous.location, previous.signature) == (location, signature)
        if same_file and (previous.checked_with is object_info or object_info is None or previous.data is None):
            return previous  # unchanged (or the server is down: keep what was known; or the file is unreadable)
        if same_file:
            data, digest = previous.data, previous.digest
        else:
            try:
                raw = await source.read(location)
            except (BridgeError, OSError) as exc:
                return Workflow(name, source.label, location, signature, "", reason=f"unreadable: {exc}")
            digest = hashlib.sha256(raw).hexdigest()
            try:
                data = json.loads(raw)
            except ValueError as exc:
                return Workflow(name, source.label, location, signature, digest, reason=f"not valid JSON: {exc}")
        wf = Workflow(name, source.label, location, signature, digest, data=data)
        if object_info is None:
            wf.reason = f"not checked yet: {unreachable}"
            return wf
        wf.checked_with = object_info
        try:
            spec = parse(data, object_info)
            check_prompt(spec.prompt, object_info, skip={(i.node, IMAGE_NODES[i.node_type]) for i in spec.images})
            wf.spec, wf.model = spec, request_model(name, spec)
        except WorkflowError as exc:
            wf.reason, wf.node_id, wf.node_type = str(exc), exc.node_id, exc.node_type
        return wf
