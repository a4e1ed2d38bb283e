"""The editor's reading and writing of the points/boxes widgets (web/lib/sam_prompt_format.js) agrees
with how the node parses them (nodes/common/sam_prompts.py), run in Node.js."""

import json
import shutil
import subprocess

import pytest

from inpaint_bridge.nodes.common.sam_prompts import parse_prompts
from support.paths import REPO_ROOT

MODULE = (REPO_ROOT / "web" / "lib" / "sam_prompt_format.js").as_uri()
RUNNER = f"""
import * as f from {json.dumps(MODULE)};
const calls = JSON.parse(process.argv[1]);
process.stdout.write(JSON.stringify(calls.map(([name, ...args]) => f[name](...args))));
"""


def js(*calls) -> list:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (Node.js >= 20) is needed: scripts/setup.sh requires it for the JS tools")
    out = subprocess.run(
        [node, "--input-type=module", "-e", RUNNER, json.dumps(calls)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def python_prompts(points: str, boxes: str, batch: int, index: int) -> dict:
    prompt = parse_prompts(points, boxes, batch)[index]
    return {
        "points": [
            {"x": x, "y": y, "label": label}
            for (x, y), label in zip(prompt.points.tolist(), prompt.labels, strict=True)
        ],
        "boxes": prompt.boxes.tolist(),
    }


CASES = [
    ("[]", "[]", 1),
    ('[{"x": 10, "y": 20, "label": 1}, {"x": 3, "y": 4, "label": 0}]', "[[1, 2, 30, 40]]", 1),
    ("[[10, 20, 1], [5, 6]]", "[]", 2),  # [x, y, label] points, one set for every image
    ('[[{"x": 1, "y": 2, "label": 1}], []]', "[[], [[0, 0, 9, 9]]]", 2),  # per image
    ("[[], [[7, 8, 0]]]", "[[2, 2, 5, 5]]", 2),
]


@pytest.mark.parametrize(("points", "boxes", "batch"), CASES)
def test_reading_agrees_with_the_node(points, boxes, batch):
    got = js(*[["readPrompts", points, boxes, i] for i in range(batch)])
    assert got == [python_prompts(points, boxes, batch, i) for i in range(batch)]


def test_writing_one_image_of_a_batch_keeps_the_others():
    shared = '[{"x": 10, "y": 20, "label": 1}]'
    edit = {"points": [{"x": 5.4, "y": 6.6, "label": 0}], "boxes": [[1.2, 2, 30, 40.7]]}
    single, batch3, flat_again = js(
        ["writePrompts", shared, "[]", 0, 1, edit],
        ["writePrompts", shared, "[]", 1, 3, edit],
        ["writePrompts", '[[{"x": 1, "y": 1, "label": 1}], []]', "[]", 0, 2, {"points": [], "boxes": []}],
    )
    assert python_prompts(single["points"], single["boxes"], 1, 0) == {
        "points": [{"x": 5, "y": 7, "label": 0}],
        "boxes": [[1, 2, 30, 41]],
    }
    per_image = [python_prompts(batch3["points"], batch3["boxes"], 3, i) for i in range(3)]
    unchanged = {"points": [{"x": 10, "y": 20, "label": 1}], "boxes": []}
    assert per_image[0] == per_image[2] == unchanged, "the images not edited keep the shared prompt"
    assert per_image[1] == {"points": [{"x": 5, "y": 7, "label": 0}], "boxes": [[1, 2, 30, 41]]}
    assert flat_again == {"points": "[]", "boxes": "[]"}, "no prompt left on any image: plain empty lists"


def test_unreadable_widget_text_reads_as_no_prompt():
    assert js(["readPrompts", "[{", "not json", 0], ["perImageCount", "[[], [[1, 2, 1]]]", "[]"]) == [
        {"points": [], "boxes": []},
        2,
    ]
