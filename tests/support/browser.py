"""A headless Chromium for tests: open a URL, evaluate, click, drag, screenshot.

The browser is the system Chromium (Debian ``chromium``, installed by ``scripts/setup.sh``;
``IB_CHROMIUM`` names another binary) driven by ``playwright-core`` from npm (installed into
``.cache/npm``) through a small Node process (``browser_driver.cjs``) that answers one JSON
line per request. Assertions stay in Python; screenshots go to the git-ignored artefacts
folder (``tests/artefacts``, or ``$IB_TEST_ARTEFACTS``).

    with Browser() as browser:
        page = browser.open("http://127.0.0.1:8188/")
        page.wait_for("() => !!window.app?.graph")
        assert page.evaluate("(n) => n + 1", 1) == 2
        page.screenshot("canvas")
"""

import itertools
import json
import os
import pathlib
import shutil
import subprocess
import threading

from .paths import REPO_ROOT

NODE_MODULES = REPO_ROOT / ".cache" / "npm" / "node_modules"
DRIVER = pathlib.Path(__file__).with_name("browser_driver.cjs")
# RUNTIME-proven flags for a headless Chromium on a machine without GPU or network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class BrowserError(RuntimeError):
    """The browser could not do what was asked (the message carries the page's own error)."""


def artefacts_dir() -> pathlib.Path:
    folder = pathlib.Path(os.environ.get("IB_TEST_ARTEFACTS") or REPO_ROOT / "tests" / "artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def chromium_path() -> str:
    """The Chromium binary: $IB_CHROMIUM, else chromium / chromium-browser on the PATH."""
    configured = os.environ.get("IB_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise BrowserError(
        "no Chromium found: run `bash scripts/setup.sh` as root (it installs Debian's chromium), "
        "`sudo apt-get install chromium`, or set IB_CHROMIUM=/path/to/chromium"
    )


def _node_modules() -> pathlib.Path:
    if not (NODE_MODULES / "playwright-core").is_dir():
        raise BrowserError(f"playwright-core is not installed in {NODE_MODULES}: run `bash scripts/setup.sh`")
    return NODE_MODULES


class Page:
    """One browser tab. JavaScript is passed as a function source, called with ``arg``."""

    def __init__(self, browser: "Browser", page_id: int):
        self._browser, self.id = browser, page_id

    def _call(self, op: str, timeout: float | None = None, **fields):
        return self._browser.call(op, timeout=timeout, page=self.id, **fields)

    def goto(self, url: str) -> None:
        self._call("goto", url=url)

    def evaluate(self, source: str, arg=None):
        """Result of ``(source)(arg)`` in the page (awaited; must be JSON-serialisable)."""
        return self._call("evaluate", source=source, arg=arg)

    def wait_for(self, source: str, arg=None, timeout: float = 30.0):
        """Poll ``(source)(arg)`` until it is truthy; returns that value."""
        return self._call("wait_for", timeout=timeout + 5, source=source, arg=arg, timeout_ms=int(timeout * 1000))

    def click(self, selector: str, button: str = "left") -> None:
        """Click the first element matching a Playwright selector (waits until it is actionable)."""
        self._call("click", selector=selector, button=button)

    def set_files(self, selector: str, paths: list[str]) -> None:
        """Choose files for the first ``<input type=file>`` matching ``selector``, as a user's file picker does."""
        self._call("set_files", selector=selector, paths=[str(p) for p in paths])

    def mouse(self, steps: list[dict]) -> None:
        """Raw mouse steps in page pixels: ``{"move": [x, y]}``, ``{"down": "left"}``, ``{"up": "left"}``."""
        self._call("mouse", steps=steps)

    def click_at(self, x: float, y: float, button: str = "left") -> None:
        self.mouse([{"move": [x, y]}, {"down": button}, {"up": button}])

    def drag(self, start: tuple[float, float], end: tuple[float, float], button: str = "left") -> None:
        self.mouse([{"move": list(start)}, {"down": button}, {"move": list(end), "steps": 8}, {"up": button}])

    def press(self, key: str) -> None:
        """A key or chord in Playwright's names, e.g. ``"Escape"``, ``"Control+z"``."""
        self._call("press", key=key)

    def screenshot(self, name: str) -> pathlib.Path:
        """Save the viewport as ``<artefacts>/<name>.png``."""
        path = artefacts_dir() / f"{name}.png"
        self._call("screenshot", path=str(path))
        return path

    def errors(self) -> list[str]:
        """Uncaught page errors and console.error messages since the last call."""
        return self._call("errors")

    def close(self) -> None:
        self._call("close_page")


class Browser:
    """A headless Chromium behind a Node/playwright-core driver process; a context manager."""

    def __init__(self, viewport: tuple[int, int] = (1400, 900), timeout: float = 30.0):
        self.viewport, self.timeout = viewport, timeout
        self._proc: subprocess.Popen | None = None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.version = ""

    def start(self) -> "Browser":
        cmd = ["node", str(DRIVER), str(_node_modules()), chromium_path(), json.dumps(CHROMIUM_ARGS)]
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
        )
        width, height = self.viewport
        self.version = self.call(
            "launch", timeout=60, viewport={"width": width, "height": height}, timeout_ms=int(self.timeout * 1000)
        )
        return self

    def call(self, op: str, timeout: float | None = None, **fields):
        if self._proc is None or self._proc.poll() is not None:
            raise BrowserError(f"the browser driver is not running{self._stderr()}")
        request_id = next(self._ids)
        with self._lock:
            self._proc.stdin.write(json.dumps({"id": request_id, "op": op, **fields}) + "\n")
            self._proc.stdin.flush()
            answer = self._read_answer(timeout or self.timeout + 10)
        if answer.get("id") != request_id:
            raise BrowserError(f"driver answered request {answer.get('id')} for {request_id}")
        if "error" in answer:
            raise BrowserError(f"{op}: {answer['error']}")
        return answer["result"]

    def _read_answer(self, timeout: float) -> dict:
        box: list[str] = []
        reader = threading.Thread(target=lambda: box.append(self._proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if reader.is_alive() or not box or not box[0]:
            self.stop()
            raise BrowserError(f"no answer from the browser driver within {timeout:.0f}s{self._stderr()}")
        return json.loads(box[0])

    def _stderr(self) -> str:
        if self._proc is None or self._proc.poll() is None:
            return ""
        text = self._proc.stderr.read() if self._proc.stderr else ""
        return f":\n{text[-3000:]}" if text else ""

    def open(self, url: str | None = None) -> Page:
        return Page(self, self.call("open", timeout=self.timeout + 10, url=url))

    def stop(self) -> None:
        if self._proc is None:
            return
        if self._proc.poll() is None:
            try:
                self._proc.stdin.write(json.dumps({"id": 0, "op": "quit"}) + "\n")
                self._proc.stdin.flush()
                self._proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self._proc.kill()
                self._proc.wait(5)
        self._proc = None

    def __enter__(self) -> "Browser":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
