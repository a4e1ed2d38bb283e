"""Recipe for workflow: a saved workflow's prompt, checked against this server, its images uploaded.

Node ids stay the workflow's own, so an error names the node the user sees in ComfyUI. A SaveImage
runs as a PreviewImage: the bridge keeps every result itself, and ComfyUI's output folder does not fill
up with files no one reads (the executor removes a run's preview files after fetching them).
"""

from __future__ import annotations

from ...tasks.workflow import WorkflowTask
from ...workflows.checks import check_prompt
from ...workflows.convert import WorkflowError
from ...workflows.spec import IMAGE_NODES
from .. import node_ids as N  # noqa: N812
from ..builder import Graph, GraphBuildError
from . import recipe


@recipe("workflow")
def workflow(task: WorkflowTask, g: Graph) -> None:
    prompt = {node_id: {**node, "inputs": dict(node.get("inputs") or {})} for node_id, node in task.prompt.items()}
    for image in task.images:
        node = prompt.get(image.node)
        if node is None or node["class_type"] not in IMAGE_NODES:
            raise GraphBuildError(f"input {image.name!r}: node {image.node} is not an image loader in this prompt")
        node["inputs"][IMAGE_NODES[node["class_type"]]] = g.upload(image.image.blob)
    try:
        check_prompt(prompt, g.object_info, skip=set())
    except WorkflowError as exc:
        raise GraphBuildError(str(exc), node_id=exc.node_id, node_type=exc.node_type) from None
    for node_id, node in prompt.items():
        kind, inputs = node["class_type"], node["inputs"]
        if kind == N.SAVE_IMAGE:
            kind, inputs = N.PREVIEW_IMAGE, {"images": inputs.get("images")}
        g.add_verbatim(node_id, kind, inputs)
    for result in task.results:
        if result.node not in prompt:
            raise GraphBuildError(f"result {result.name!r}: node {result.node} is not in the prompt")
        ref = g.node(result.node)
        if result.kind == "text":
            g.text_result(result.name, ref)
        else:
            g.result(result.name, ref)
