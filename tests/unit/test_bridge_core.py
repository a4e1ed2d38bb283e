"""Bridge core without a server: builder checks, recipes, images, task store."""

import base64
import io
import json
import pathlib
import subprocess
import sys

import pytest
from PIL import Image

from api_bridge.errors import BridgeError
from api_bridge.graph.builder import GraphBuilder
from api_bridge.images import ImageLimits, decode_base64, open_image
from api_bridge.recipes import build_graph
from api_bridge.store.tasks import TaskStore
from api_bridge.tasks import (
    Adjust,
    AdjustMaskTask,
    EraseOptions,
    EraseTask,
    GenerateMaskTask,
    MaskSource,
    RembgPrompt,
    SamPrompt,
)
from support.paths import REPO_ROOT

OBJECT_INFO = json.loads((pathlib.Path(__file__).parent / "data" / "object_info.json").read_text())


def test_bridge_imports_neither_torch_nor_comfy():
    code = (
        "import sys, api_bridge.server.app, api_bridge.service; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'comfy', 'comfy_api', 'folder_paths')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def _load(g):
    return g.node("LoadImage", image="a.png")


@pytest.mark.parametrize(
    "build,message",
    [
        (lambda g: g.node("NoSuchNode"), "NoSuchNode is not installed"),
        (lambda g: g.node("IB_MaskGrow", radius=3), "misses required inputs \\['mask'\\]"),
        (lambda g: g.node("SaveImage", prefix="x"), "has no input 'prefix'"),
        (
            lambda g: g.node("IB_MaskGrow", mask=g.node("LoadImage", image="a.png").out(0), radius=1),
            "takes MASK, got IMAGE",
        ),
        (lambda g: g.node("IB_MaskGrow", mask=g.node("LoadImage", image="a.png").out(1), radius=5000), "outside"),
        (
            lambda g: g.node("IB_MaskGrow", mask=g.node("LoadImage", image="a.png").out(1), radius=1, kernel="hex"),
            "not one of",
        ),
        (lambda g: g.node("LoadImage", image="a.png").out(7), "has no output 7"),
    ],
)
def test_builder_fails_at_build_time_with_a_clear_message(build, message):
    with pytest.raises(BridgeError, match=message):
        build(GraphBuilder(OBJECT_INFO))


def test_erase_recipe_golden_graph():
    task = EraseTask(
        image="in.png",
        mask=MaskSource(image="m.png", rule="luminance", threshold=127),
        options=EraseOptions(engine="telea", dilate=15, candidates=2, seed=7),
    )
    assert build_graph(task, OBJECT_INFO) == {
        "1": {"class_type": "LoadImage", "inputs": {"image": "in.png"}},
        "2": {"class_type": "LoadImage", "inputs": {"image": "m.png"}},
        "3": {
            "class_type": "IB_MaskFromImage",
            "inputs": {"image": ["2", 0], "rule": "luminance", "threshold": 127, "invert": False},
        },
        "4": {
            "class_type": "IB_Erase",
            "inputs": {
                "image": ["1", 0],
                "mask": ["3", 0],
                "engine": "telea",
                "strategy": "crop",
                "crop_trigger_size": 800,
                "crop_margin": 128,
                "resize_limit": 1280,
                "dilate": 15,
                "feather": 4,
                "candidates": 2,
                "seed": 7,
            },
        },
        "5": {"class_type": "SaveImage", "inputs": {"images": ["4", 0], "filename_prefix": "inpaint-bridge/out"}},
    }


def test_mask_recipes_chain_the_right_nodes():
    adjust = AdjustMaskTask(
        mask=MaskSource(image="m.png"), adjust=Adjust(grow=-4, kernel="ellipse_iopaint"), invert_result=True
    )
    graph = build_graph(adjust, OBJECT_INFO)
    assert [n["class_type"] for n in graph.values()] == [
        "LoadImage",
        "IB_MaskFromImage",
        "IB_MaskGrow",
        "InvertMask",
        "MaskToImage",
        "SaveImage",
    ]
    assert graph["3"]["inputs"] == {"mask": ["2", 0], "radius": -4, "kernel": "ellipse_iopaint"}
    sam = GenerateMaskTask(image="i.png", method=SamPrompt(points=[(10, 20, 1)], boxes=[(1, 2, 30, 40)]))
    graph = build_graph(sam, OBJECT_INFO)
    seg = next(n for n in graph.values() if n["class_type"] == "IB_SAMSegment")
    assert json.loads(seg["inputs"]["points"]) == [{"x": 10, "y": 20, "label": 1}]
    assert json.loads(seg["inputs"]["boxes"]) == [[1, 2, 30, 40]]
    rembg = GenerateMaskTask(image="i.png", method=RembgPrompt(model_name="u2netp"), adjust=Adjust(grow=3))
    kinds = [n["class_type"] for n in build_graph(rembg, OBJECT_INFO).values()]
    assert kinds == ["LoadImage", "IB_RembgLoader", "IB_RemoveBackground", "IB_MaskGrow", "MaskToImage", "SaveImage"]


def _png(size=(8, 6), mode="RGB", **save) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, (10, 200, 30) if mode == "RGB" else 0).save(buf, format=save.pop("format", "PNG"), **save)
    return buf.getvalue()


def test_every_base64_form_decodes():
    raw = _png()
    b64 = base64.b64encode(raw).decode()
    for text in (
        b64,
        b64.rstrip("="),
        f"data:image/png;base64,{b64}",
        f"data:application/octet-stream;base64,{b64}",
        "\n".join([b64[:10], b64[10:]]),
    ):
        assert open_image(decode_base64(text)).size == (8, 6)
    with pytest.raises(BridgeError, match="not valid base64|not a readable image"):
        open_image(decode_base64("!!!not base64!!!"))


def test_limits_are_checked_before_decoding_and_exif_applied():
    with pytest.raises(BridgeError, match="bytes; the limit"):
        open_image(_png(), ImageLimits(max_bytes=10))
    with pytest.raises(BridgeError, match="limit is 4 px per side"):
        open_image(_png(), ImageLimits(max_side=4, max_pixels=10**6))
    with pytest.raises(BridgeError, match="format JPEG is not accepted"):
        open_image(_png(format="JPEG"), ImageLimits(formats=("PNG",)))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when displayed
    buf = io.BytesIO()
    Image.new("RGB", (8, 6)).save(buf, format="JPEG", exif=exif)
    assert open_image(buf.getvalue()).size == (6, 8)


def test_task_store_persists_and_requeues(tmp_path):
    path = str(tmp_path / "t.sqlite3")
    store = TaskStore(path)
    a = store.create("erase", "bridge", {"x": 1})
    b = store.create("erase", "bridge", {"x": 2})
    store.start(a)
    store.succeed(b, ["out_0.png"])
    store.close()
    reopened = TaskStore(path)
    assert [r.id for r in reopened.unfinished()] == [a]
    assert reopened.get(b).results == ["out_0.png"] and reopened.get(b).status == "succeeded"
    reopened.fail(a, {"kind": "timeout", "message": "slow"})
    assert reopened.get(a).error["kind"] == "timeout" and reopened.get(a).attempts == 1
    assert {r.id for r in reopened.expire(-1)} == {a, b} and reopened.get(a) is None
