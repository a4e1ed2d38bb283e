"""IOPaint's own web UI (from the iopaint 1.6.0 wheel) served by the bridge, in headless Chromium.

A user opens the page, loads a real photo, paints over the spoon and gets it erased (the model the UI
starts with: LaMa when installed, else the weight-free exemplar engine); clicks the spoon in Interactive
Segmentation (the default SAM model), sees its mask and erases it. What the UI shows is compared with what
the bridge answered, and the answer with the photo: outside the painted stroke nothing changes.
"""

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage import data

from support.bridge import ThreadedBridge
from support.iopaint import OVERLAY, decode, masked
from support.iopaint_page import canvases, data_url_bytes, draw, open_iopaint, upload, wait_call

PHOTO = data.coffee()  # 600x400
# The spoon, in image pixels: its bowl, then up the handle.
SPOON = [(350, 330), (385, 325), (390, 290), (345, 285), (350, 255), (385, 250), (392, 200), (402, 150), (414, 62)]
BOWL = (360, 290)  # the spoon's bowl
HANDLE = [(392, 200), (402, 150), (414, 62)]
BRUSH_REACH = 32  # px around the stroke's path the UI's brush (40 px wide at 1:1) can paint, with its soft edge


@pytest.fixture(scope="module")
def bridge(bridge_comfy, tmp_path_factory):
    b = ThreadedBridge(tmp_path_factory.mktemp("iopaint-ui"), [bridge_comfy.url], workers=1).start(timeout=120)
    yield b
    b.stop()


@pytest.fixture(scope="module")
def photo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("photos") / "coffee.png"
    Image.fromarray(PHOTO).save(path)
    return path


@pytest.fixture
def page(browser, bridge):
    page = browser.open()
    open_iopaint(page, bridge.url)
    yield page
    ours = [e for e in page.errors() if "/socket.io/" not in e and "status of 404" not in e]
    page.close()
    assert not ours, ours  # Socket.IO is not served (progress is optional): its 404s are expected


def stroke_reach(points, shape) -> np.ndarray:
    area = np.zeros(shape[:2], np.uint8)
    cv2.polylines(area, [np.array(points, np.int32)], False, 1, thickness=2 * BRUSH_REACH + 1)
    return area.astype(bool)


def test_painting_over_the_spoon_erases_it_and_nothing_else(page, photo_file):
    origin = upload(page, photo_file)
    draw(page, origin, SPOON)
    call = wait_call(page, "inpaint")
    assert call["status"] == 200 and int(call["seed"]) > 0
    sent = decode(data_url_bytes(call["request"]["mask"]))
    hole = masked(sent)
    assert hole[SPOON[0][1], SPOON[0][0]] and hole[SPOON[-1][1], SPOON[-1][0]], "the stroke is in the mask"
    assert not (hole & ~stroke_reach(SPOON, PHOTO.shape)).any(), "the mask is the stroke"

    result = np.asarray(decode(call["bytes"]).convert("RGB"))
    assert np.array_equal(result[~hole], PHOTO[~hole]), "outside the stroke the photo is bit for bit the input"
    change = np.abs(result.astype(int) - PHOTO.astype(int))[hole].mean()
    assert change > 10, f"the spoon is still there (mean change {change:.1f})"
    page.wait_for("() => document.querySelectorAll('canvas').length >= 2")
    page.mouse([{"move": [5, 5]}])  # the brush cursor off the picture
    shown = canvases(page)[0]
    assert np.array_equal(shown[..., :3], result) and (shown[..., 3] == 255).all(), "the UI shows the erased image"
    page.screenshot("iopaint_erase")


def test_a_click_in_interactive_segmentation_masks_the_spoon_and_accepting_erases_it(page, photo_file):
    origin = upload(page, photo_file)
    page.click("button:has(svg) >> nth=4")  # the plugins menu, left of the size badge
    page.click("[role=menuitem]:has-text('Interactive Segmentation')")
    page.click_at(origin[0] + BOWL[0], origin[1] + BOWL[1])
    call = wait_call(page, "run_plugin_gen_mask")
    assert call["status"] == 200 and call["request"]["name"] == "InteractiveSeg"
    assert [c[:3] for c in call["request"]["clicks"]] == [[BOWL[0], BOWL[1], 1]]
    mask = np.asarray(decode(call["bytes"]))
    on = mask[..., 3] > 0
    assert (mask[on] == OVERLAY).all() and on[BOWL[1], BOWL[0]], "the clicked bowl is in the mask"
    assert 0.002 < on.mean() < 0.2, "the spoon, not the table"
    drawn = page.wait_for(
        """() => {
          const c = document.querySelectorAll('canvas')[1];
          const d = c && c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 3; d && i < d.length; i += 4) n += d[i] > 0;
          return n > 0 && n;
        }""",
        timeout=30,
    )
    assert drawn == on.sum() and np.array_equal(canvases(page)[1][..., 3] > 0, on), "the UI shows the answered mask"
    page.screenshot("iopaint_interactive_seg")

    page.click("button:has-text('Accept')")  # the mask joins the brush's; the next stroke erases both
    draw(page, origin, HANDLE)
    erase = wait_call(page, "inpaint")
    hole = masked(decode(data_url_bytes(erase["request"]["mask"])))
    assert (hole >= on).all(), "the accepted mask is erased with the stroke"
    result = np.asarray(decode(erase["bytes"]).convert("RGB"))
    assert np.array_equal(result[~hole], PHOTO[~hole])
    page.mouse([{"move": [5, 5]}])
    page.screenshot("iopaint_interactive_seg_erased")
