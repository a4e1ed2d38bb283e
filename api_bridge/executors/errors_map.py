"""ComfyUI's error payloads (``/prompt`` 400 bodies, ``execution_error`` messages) → :class:`BridgeError`."""

from __future__ import annotations

from typing import Any

from ..errors import BridgeError, ErrorCode


def from_prompt_rejection(body: dict[str, Any], prompt: dict[str, Any]) -> BridgeError:
    """``POST /prompt`` answered 400: ``{"error": {...}, "node_errors": {id: {"errors": [...], "class_type"}}}``."""
    error = body.get("error") or {}
    node_errors = body.get("node_errors") or {}
    for node_id, entry in node_errors.items():
        errs = entry.get("errors") or []
        first = errs[0] if errs else {}
        detail = first.get("details") or first.get("message") or "invalid input"
        input_name = (first.get("extra_info") or {}).get("input_name")
        where = f" input {input_name!r}" if input_name else ""
        return BridgeError(
            ErrorCode.graph_invalid,
            f"ComfyUI rejected the graph: {entry.get('class_type', '?')}{where}: {first.get('message', '')} {detail}",
            node_id=str(node_id),
            node_type=entry.get("class_type") or prompt.get(node_id, {}).get("class_type"),
            details={"node_errors": node_errors},
        )
    message = error.get("message") or "ComfyUI rejected the graph"
    if error.get("details"):
        message += f": {error['details']}"
    return BridgeError(ErrorCode.graph_invalid, message, details={"error": error})


def from_execution_error(data: dict[str, Any]) -> BridgeError:
    """The ``execution_error`` websocket message / history status message."""
    message = data.get("exception_message") or "node failed"
    return BridgeError(
        ErrorCode.execution_failed,
        f"{data.get('node_type', 'node')} failed: {str(message).strip()}",
        node_id=str(data["node_id"]) if data.get("node_id") is not None else None,
        node_type=data.get("node_type"),
        details={"exception_type": data.get("exception_type")},
    )


def from_history_status(status: dict[str, Any]) -> BridgeError | None:
    """A finished ``/history`` entry's ``status``; None when it succeeded."""
    if status.get("status_str") == "success" or (status.get("completed") and status.get("status_str") != "error"):
        return None
    for name, data in status.get("messages") or []:
        if name == "execution_error":
            return from_execution_error(data)
        if name == "execution_interrupted":
            return BridgeError(ErrorCode.interrupted, "the task was interrupted on ComfyUI")
    if status.get("status_str") == "error":
        return BridgeError(ErrorCode.execution_failed, "ComfyUI reported an error")
    return None
