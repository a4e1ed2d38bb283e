"""Driving IOPaint's own web UI (served by the bridge at /) in the test browser, as a user does.

The page's calls to ``/api/v1`` are recorded (request body, status, X-Seed, response bytes) by wrapping
``window.fetch`` once the app has loaded, so tests can compare what the UI sent, what the bridge answered
and what the UI then shows.
"""

import base64
import io
import json

import numpy as np
from PIL import Image

RECORDER = """() => {
  if (window.__ibCalls) return;
  window.__ibCalls = [];
  const original = window.fetch;
  window.fetch = async (url, init) => {
    const response = await original(url, init);
    if (String(url).includes('/api/v1/')) {
      const blob = await response.clone().blob();
      const data = await new Promise((done) => {
        const reader = new FileReader();
        reader.onload = () => done(reader.result);
        reader.readAsDataURL(blob);
      });
      const body = init && typeof init.body === 'string' ? init.body : null;
      const seed = response.headers.get('X-Seed');
      window.__ibCalls.push({url: String(url), body, status: response.status, seed, data});
    }
    return response;
  };
}"""


def open_iopaint(page, url: str) -> None:
    """Load the UI and start recording its API calls (a missing UI fails with the bridge's own reason)."""
    import httpx

    index = httpx.get(url.rstrip("/") + "/", timeout=30)
    if index.status_code != 200:
        raise AssertionError(f"the bridge serves no web UI at /: {index.json().get('errors')}")
    page.goto(url.rstrip("/") + "/")
    page.wait_for("() => document.querySelector('input[type=file]')", timeout=60)
    page.evaluate(RECORDER)


def upload(page, path) -> tuple[float, float]:
    """Open a picture through the UI's file input; returns the page position of its pixel (0, 0).

    Waits until the editor shows it at rest at 1:1 (the tests' viewport fits the pictures they use)."""
    page.set_files("input[type=file]", [str(path)])
    rect = page.wait_for(
        """() => {
          const c = document.querySelector('canvas');
          if (!c || !c.width || c.getBoundingClientRect().width !== c.width) return false;
          const r = JSON.stringify(c.getBoundingClientRect());  // still until the editor's centring ends
          window.__ibStill = window.__ibRect === r ? (window.__ibStill || 0) + 1 : 0;
          window.__ibRect = r;
          return window.__ibStill >= 5 && JSON.parse(r);
        }""",
        timeout=30,
    )
    return rect["x"], rect["y"]


def draw(page, origin: tuple[float, float], points: list[tuple[int, int]]) -> None:
    """One brush stroke through image pixels ``points`` (mouse down at the first, up at the last)."""
    x0, y0 = origin
    steps = [{"move": [x0 + points[0][0], y0 + points[0][1]]}, {"down": "left"}]
    steps += [{"move": [x0 + x, y0 + y], "steps": 6} for x, y in points[1:]]
    steps.append({"up": "left"})
    page.mouse(steps)


def calls(page, endpoint: str) -> list[dict]:
    return page.evaluate("(e) => window.__ibCalls.filter((c) => c.url.endsWith('/api/v1/' + e))", endpoint)


def wait_call(page, endpoint: str, count: int = 1, timeout: float = 120) -> dict:
    """The ``count``-th answered call to ``endpoint``, with its request body parsed and its answer's bytes."""
    page.wait_for(
        "([e, n]) => window.__ibCalls.filter((c) => c.url.endsWith('/api/v1/' + e)).length >= n",
        [endpoint, count],
        timeout=timeout,
    )
    call = calls(page, endpoint)[count - 1]
    call["request"] = json.loads(call["body"]) if call["body"] else None
    call["bytes"] = data_url_bytes(call["data"])
    return call


def data_url_bytes(url: str) -> bytes:
    return base64.b64decode(url.split(",", 1)[1])


def canvases(page) -> list[np.ndarray]:
    """Every canvas of the editor as RGBA arrays: [0] the picture shown, [1] the mask overlay."""
    urls = page.evaluate("() => [...document.querySelectorAll('canvas')].map((c) => c.toDataURL('image/png'))")
    return [np.asarray(Image.open(io.BytesIO(data_url_bytes(u))).convert("RGBA")) for u in urls]
