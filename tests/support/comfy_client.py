"""A small synchronous ComfyUI HTTP client for tests: post a graph, wait, read outputs.

Failures are raised as ``ComfyGraphError`` naming the node id, its class and
ComfyUI's message, for validation errors (``node_errors``) and runtime errors
(``execution_error``) alike.
"""

import io
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import numpy as np
from PIL import Image


class ComfyGraphError(RuntimeError):
    def __init__(self, message: str, node_id: str | None = None, node_type: str | None = None, details=None):
        super().__init__(message)
        self.node_id, self.node_type, self.details = node_id, node_type, details


class ComfyClient:
    def __init__(self, base_url: str, timeout: float = 120.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.client_id = uuid.uuid4().hex  # without one, a resubmitted graph is fully cached

    # -- raw HTTP ----------------------------------------------------------
    def _request(self, path: str, data: bytes | None = None, headers: dict | None = None):
        req = urllib.request.Request(self.base_url + path, data=data, headers=headers or {})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.read()

    def get_json(self, path: str):
        return json.loads(self._request(path))

    def post_json(self, path: str, body=None, raw: bytes | None = None, timeout: float = 60) -> tuple[int, object]:
        """POST ``body`` as JSON (or ``raw`` bytes as they are): the status and the decoded answer, errors too."""
        req = urllib.request.Request(
            self.base_url + path,
            data=raw if raw is not None else json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def object_info(self) -> dict:
        return self.get_json("/object_info")

    # -- images ------------------------------------------------------------
    def upload_image(self, image: Image.Image, name: str, subfolder: str = "") -> str:
        """Upload through /upload/image (multipart) and return the name LoadImage takes."""
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        boundary = uuid.uuid4().hex
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="{name}"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode() + buf.getvalue()
        body += f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="overwrite"\r\n\r\ntrue'.encode()
        if subfolder:
            body += f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="subfolder"\r\n\r\n{subfolder}'.encode()
        body += f"\r\n--{boundary}--\r\n".encode()
        out = json.loads(
            self._request("/upload/image", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        )
        return f"{out['subfolder']}/{out['name']}" if out.get("subfolder") else out["name"]

    def view(self, item: dict) -> np.ndarray:
        query = urllib.parse.urlencode({k: item[k] for k in ("filename", "subfolder", "type")})
        return np.array(Image.open(io.BytesIO(self._request(f"/view?{query}"))))

    # -- graphs ------------------------------------------------------------
    def submit(self, graph: dict) -> str:
        prompt_id = uuid.uuid4().hex
        body = json.dumps({"prompt": graph, "client_id": self.client_id, "prompt_id": prompt_id}).encode()
        try:
            self._request("/prompt", body, {"Content-Type": "application/json"})
        except urllib.error.HTTPError as exc:
            raise _validation_error(json.loads(exc.read() or b"{}")) from None
        return prompt_id

    def wait(self, prompt_id: str) -> dict:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            history = self.get_json(f"/history/{prompt_id}")
            entry = history.get(prompt_id)
            if entry and entry.get("status", {}).get("completed") is not None:
                status = entry["status"]
                if status.get("status_str") == "error":
                    raise _execution_error(status)
                return entry
            time.sleep(0.05)
        raise TimeoutError(f"prompt {prompt_id} did not finish within {self.timeout}s")

    def run(self, graph: dict) -> dict:
        """Run ``graph``; return ``{node_id: outputs}`` from /history (the UI outputs)."""
        return self.wait(self.submit(graph))["outputs"]


def _validation_error(body: dict) -> ComfyGraphError:
    node_errors = body.get("node_errors") or {}
    for node_id, info in node_errors.items():
        messages = "; ".join(f"{e.get('message')}: {e.get('details')}".rstrip(": ") for e in info.get("errors", []))
        return ComfyGraphError(
            f"node {node_id} ({info.get('class_type')}): {messages}", node_id, info.get("class_type"), body
        )
    error = body.get("error") or {}
    return ComfyGraphError(f"prompt rejected: {error.get('message')}: {error.get('details')}", details=body)


def _execution_error(status: dict) -> ComfyGraphError:
    for kind, data in status.get("messages", []):
        if kind == "execution_error":
            return ComfyGraphError(
                f"node {data.get('node_id')} ({data.get('node_type')}) failed: "
                f"{data.get('exception_type')}: {data.get('exception_message')}",
                str(data.get("node_id")),
                data.get("node_type"),
                data,
            )
        if kind == "execution_interrupted":
            return ComfyGraphError(f"interrupted at node {data.get('node_id')}", str(data.get("node_id")), None, data)
    return ComfyGraphError(f"prompt failed: {status}", details=status)
