"""A tiny graph builder for tests: ``g.node("LoadImage", image=name)`` returns output handles."""

import itertools


class GraphBuilder:
    def __init__(self):
        self.nodes: dict[str, dict] = {}
        self._ids = itertools.count(1)

    def node(self, class_type: str, **inputs) -> "NodeRef":
        node_id = str(next(self._ids))
        self.nodes[node_id] = {
            "class_type": class_type,
            "inputs": {k: (v.link if isinstance(v, Out) else v) for k, v in inputs.items()},
        }
        return NodeRef(node_id)

    def build(self) -> dict:
        return self.nodes


class Out:
    def __init__(self, node_id: str, index: int):
        self.link = [node_id, index]


class NodeRef:
    def __init__(self, node_id: str):
        self.id = node_id

    def out(self, index: int) -> Out:
        return Out(self.id, index)


def u2netp_foreground(g: GraphBuilder, image: Out) -> NodeRef:
    """The default segmentation model's foreground mask of ``image`` (output 0 of the returned node)."""
    session = g.node("IB_RembgLoader", model_name="u2netp", cloth_category="full")
    return g.node(
        "IB_RemoveBackground",
        session=session.out(0),
        image=image,
        alpha_matting=False,
        foreground_threshold=240,
        background_threshold=10,
        erode_size=10,
    )
