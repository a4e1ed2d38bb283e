"""The graph builder checks every node, input, type, combo value and range against object_info."""

import pytest

from api_bridge.graph import Graph, GraphBuildError
from api_bridge.graph import node_ids as N  # noqa: N812
from support.bridge import object_info


@pytest.fixture
def g():
    return Graph(object_info())


def test_typed_handles_link_by_name_and_index(g):
    load = g.load_image("abcdefgh12.png")
    grow = g.add(N.MASK_GROW, mask=g.add(N.IMAGE_TO_MASK, image=load["IMAGE"], channel="red"), radius=3)
    g.result("mask", g.add(N.PREVIEW_IMAGE, images=g.add(N.MASK_TO_IMAGE, mask=grow)))
    built = g.build()
    assert built.prompt["1"] == {"class_type": "LoadImage", "inputs": {"image": "inpaint-bridge/abcdefgh12.png"}}
    assert built.prompt["3"]["inputs"] == {"mask": ["2", 0], "radius": 3, "kernel": "disc"}  # default filled in
    assert built.uploads == {"inpaint-bridge/abcdefgh12.png": "abcdefgh12.png"}
    assert built.outputs == {"mask": "5"}
    assert load["MASK"].index == 1 and load["MASK"].type == "MASK"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda g: g.add("IB_NoSuchNode"), "not installed"),
        (lambda g: g.add(N.MASK_GROW, mask=g.load_image("abcdefgh12.png")["MASK"], radiuss=3), "no input 'radiuss'"),
        (lambda g: g.add(N.MASK_GROW, mask=g.load_image("abcdefgh12.png")["IMAGE"]), "expects MASK, got a IMAGE"),
        (lambda g: g.add(N.MASK_GROW, mask=g.load_image("abcdefgh12.png")["MASK"], radius=5000), "outside"),
        (lambda g: g.add(N.MASK_GROW, mask=g.load_image("abcdefgh12.png")["MASK"], radius=2.5), "expected INT"),
        (lambda g: g.add(N.MASK_GROW, mask=g.load_image("abcdefgh12.png")["MASK"], kernel="blob"), "not one of"),
        (lambda g: g.add(N.MASK_GROW, radius=2), "required input 'mask' is missing"),
        (lambda g: g.add(N.MASK_GROW, mask="not a handle"), "needs a MASK output handle"),
        (lambda g: g.load_image("abcdefgh12.png")["NOPE"], "no output 'NOPE'"),
        (lambda g: g.result("x", g.load_image("abcdefgh12.png")), "not an output node"),
        (lambda g: g.build(), "no result"),
    ],
)
def test_wrong_graphs_fail_at_build_time_with_a_clear_message(g, make, message):
    with pytest.raises(GraphBuildError) as err:
        make(g)
    assert message in str(err.value)
    assert err.value.code.value == "graph_invalid"


def test_every_node_id_is_in_the_captured_object_info():
    info = object_info()
    assert [n for n in N.ALL if n not in info] == []
