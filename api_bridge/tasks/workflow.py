"""The ``workflow`` task kind: one run of a saved ComfyUI workflow (``api_bridge/workflows/``).

The task carries the whole prompt as it will run — the caller's values applied, randomize seeds drawn,
dynamic prompts resolved — plus where its input images go and which nodes are its results. Nothing
refers back to the workflow file, so a queued run survives a bridge restart and is not changed by an
edit of the file; ``source`` (the file's sha256 when the run was submitted) says which version it was.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, StrictStr, field_validator

from . import ImageRef, Part, TaskBase, task_kind

MAX_NODES = 5000


class WorkflowImage(Part):
    """An input picture: uploaded to ComfyUI and named in the ``image`` input of its load node."""

    node: StrictStr = Field(description="Id of the LoadImage / LoadImageMask node in the prompt.")
    name: StrictStr = Field(description="The workflow input it was sent as.")
    image: ImageRef


class WorkflowResult(Part):
    """An output node whose results are returned: images (SaveImage, PreviewImage, MaskPreview) or text."""

    name: StrictStr
    node: StrictStr
    kind: Literal["image", "text"] = "image"


@task_kind
class WorkflowTask(TaskBase):
    """A saved workflow's prompt as it will run. Results are named after the workflow's output nodes."""

    kind: Literal["workflow"] = "workflow"
    workflow: StrictStr = Field(description="The registered workflow's name.")
    source: StrictStr = Field("", description="sha256 of the workflow file the run was made from.")
    prompt: dict[str, dict[str, Any]] = Field(description="API-format prompt: {node id: {class_type, inputs}}.")
    images: list[WorkflowImage] = Field(default_factory=list, max_length=64)
    results: list[WorkflowResult] = Field(min_length=1, max_length=256)
    seeds: dict[str, Any] = Field(default_factory=dict, description="Values drawn for randomize widgets.")

    @field_validator("prompt")
    @classmethod
    def _prompt_shape(cls, prompt: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        if not prompt or len(prompt) > MAX_NODES:
            raise ValueError(f"a prompt has 1 to {MAX_NODES} nodes")
        for node_id, node in prompt.items():
            if not isinstance(node.get("class_type"), str) or not isinstance(node.get("inputs", {}), dict):
                raise ValueError(f"node {node_id}: needs a string 'class_type' and an object 'inputs'")
        return prompt

    def submitted_info(self) -> dict[str, Any]:
        return {"workflow": self.workflow, "seeds": dict(self.seeds)}
