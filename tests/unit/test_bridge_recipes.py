"""Golden graphs: every recipe's graph for representative tasks, against the captured object_info.

Each case is a file ``tests/fixtures/golden/<case>.json`` holding the task (``"task"``) and the
graph its recipe must build. A new case: write a file with only ``{"task": {...}}`` and run
``IB_UPDATE_GOLDEN=1 pytest tests/unit/test_bridge_recipes.py``; review the diff of the folder.
"""

import json
import os

import pytest

from api_bridge.graph.builder import GraphBuildError
from api_bridge.graph.recipes import build_graph, discover
from api_bridge.tasks import kinds, parse_task
from support.bridge import FIXTURES, object_info

GOLDEN = FIXTURES / "golden"
CASES = {p.stem: p for p in sorted(GOLDEN.glob("*.json"))}


def case(name: str) -> dict:
    return json.loads(CASES[name].read_text())["task"]


def test_every_task_kind_has_a_recipe_and_a_golden_case():
    assert set(discover()) == set(kinds())
    assert {case(name)["kind"] for name in CASES} == set(kinds())


@pytest.mark.parametrize("name", sorted(CASES))
def test_recipe_matches_golden_graph(name):
    path = CASES[name]
    golden = json.loads(path.read_text())
    built = build_graph(parse_task(golden["task"]), object_info())
    got = {"task": golden["task"], "prompt": built.prompt, "outputs": built.outputs, "uploads": built.uploads}
    if built.texts:
        got["texts"] = built.texts
    if os.environ.get("IB_UPDATE_GOLDEN"):
        path.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
    assert got == json.loads(path.read_text())


def test_recipes_are_pure():
    task = parse_task(case("erase_full"))
    assert build_graph(task, object_info()).prompt == build_graph(task, object_info()).prompt


def test_an_erase_model_that_is_not_installed_fails_at_build_time():
    task = parse_task({**case("erase_model"), "erase": {"engine": "model", "model_name": "x.pt"}})
    with pytest.raises(GraphBuildError, match=r"IB_EraseModelLoader.model_name: 'x.pt' is not one of"):
        build_graph(task, object_info())
