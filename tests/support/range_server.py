"""A small file server for download tests: serves a folder with HTTP ``Range`` support
(``bytes=N-`` and ``bytes=N-M``, 206 with ``Content-Range``, 416 past the end), records every
request, and can cut a transfer short to simulate a dropped connection.

Python's ``http.server.SimpleHTTPRequestHandler`` ignores ``Range``; this one honours it.
"""

import pathlib
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


@dataclass
class Request:
    path: str
    range: str | None


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client hanging up mid-transfer is expected here
        pass


@dataclass
class FileServer:
    root: pathlib.Path
    requests: list[Request] = field(default_factory=list)
    # path -> bytes to send before closing the connection, applied once per entry
    cut_after: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet: tests read ``requests`` instead
                pass

            def do_GET(self):
                server._serve(self)

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def requests_for(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        requested_range = handler.headers.get("Range")
        self.requests.append(Request(path, requested_range))
        file = (self.root / path.lstrip("/")).resolve()
        if self.root.resolve() not in file.parents or not file.is_file():
            handler.send_error(404)
            return
        data = file.read_bytes()
        start, end = 0, len(data)
        status = 200
        if requested_range:
            match = _RANGE.match(requested_range)
            if not match:
                handler.send_error(400, "unsupported Range")
                return
            start = int(match.group(1))
            end = int(match.group(2)) + 1 if match.group(2) else len(data)
            if start >= len(data):
                handler.send_response(416)
                handler.send_header("Content-Range", f"bytes */{len(data)}")
                handler.send_header("Content-Length", "0")
                handler.end_headers()
                return
            status = 206
        body = data[start:end]
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Accept-Ranges", "bytes")
        if status == 206:
            handler.send_header("Content-Range", f"bytes {start}-{end - 1}/{len(data)}")
        handler.end_headers()
        cut = self.cut_after.pop(path, None)
        handler.wfile.write(body if cut is None else body[:cut])
        handler.wfile.flush()
        if cut is not None:
            handler.close_connection = True

    def __enter__(self) -> "FileServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
