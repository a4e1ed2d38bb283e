"""The registry's bookkeeping over real folders: names, first source wins, edits noticed, reasons kept.

The server side here is the captured object_info (what a ComfyUI answers); the e2e tier runs the same
registry against a live ComfyUI, its saved workflows included.
"""

import asyncio
import json
import shutil

import pytest

from api_bridge.errors import BridgeError, ErrorCode
from api_bridge.graph import ObjectInfo
from api_bridge.workflows.registry import FolderSource, WorkflowRegistry, workflow_name
from support.bridge import captured_object_info
from support.example_checks import EXAMPLES_DIR


class CapturedServer:
    """Answers object_info with the captured one (a new object after ``restart``), or is down."""

    def __init__(self):
        self.info, self.down = ObjectInfo(captured_object_info()), False

    async def object_info(self) -> ObjectInfo:
        if self.down:
            raise BridgeError(ErrorCode.unavailable, "no ComfyUI server is available")
        return self.info

    def restart(self, raw: dict | None = None) -> None:
        self.info = ObjectInfo(raw or captured_object_info())


def refresh(registry: WorkflowRegistry) -> bool:
    return asyncio.run(registry.refresh(force=True))


@pytest.fixture
def folders(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    shutil.copy(EXAMPLES_DIR / "mask_adjust.json", first / "mask_adjust.json")
    shutil.copy(EXAMPLES_DIR / "remove_by_click.json", second / "mask_adjust.json")  # same name, later source
    (second / "My Flow (v2).json").write_text((EXAMPLES_DIR / "mask_statistics.json").read_text())
    (second / "broken.json").write_text("{not json")
    (second / "notes.txt").write_text("not a workflow file")
    return first, second


def test_names_are_route_safe():
    assert workflow_name("My Flow (v2).json") == "My_Flow_v2"
    assert workflow_name("inpaint/sdxl base.json") == "inpaint.sdxl_base"
    assert workflow_name("a.b.JSON") == "a.b"


def test_the_first_source_wins_and_every_file_is_accounted_for(folders):
    server = CapturedServer()
    registry = WorkflowRegistry([FolderSource(f) for f in folders], server)
    assert refresh(registry)
    wf = registry.workflows
    assert sorted(wf) == ["My_Flow_v2", "broken", "mask_adjust"]
    assert wf["mask_adjust"].location.endswith("first/mask_adjust.json") and wf["mask_adjust"].available
    assert wf["My_Flow_v2"].available and wf["My_Flow_v2"].spec.outputs[0].name == "mask"
    assert not wf["broken"].available and wf["broken"].reason.startswith("not valid JSON")
    (skipped,) = registry.skipped
    assert skipped["location"].endswith("second/mask_adjust.json") and "taken by" in skipped["reason"]


def test_edits_and_a_changed_server_are_noticed_and_nothing_else_is_redone(folders):
    first, _ = folders
    server = CapturedServer()
    registry = WorkflowRegistry([FolderSource(first)], server)
    refresh(registry)
    before, version = registry.workflows["mask_adjust"], registry.version
    assert not refresh(registry) and registry.workflows["mask_adjust"] is before and registry.version == version
    ui = json.loads((first / "mask_adjust.json").read_text())
    ui["nodes"].append({**ui["nodes"][-1], "id": 99, "type": "NoSuchNode", "inputs": [], "outputs": []})
    (first / "mask_adjust.json").write_text(json.dumps(ui))
    assert refresh(registry) and registry.version == version + 1
    edited = registry.workflows["mask_adjust"]
    assert not edited.available and edited.node_id == "99" and "NoSuchNode" in edited.reason
    assert edited.digest != before.digest
    # The server's node list changes (a model removed): the same file is checked again.
    raw = captured_object_info()
    raw = {**raw, "IB_RembgLoader": json.loads(json.dumps(raw["IB_RembgLoader"]))}
    raw["IB_RembgLoader"]["input"]["required"]["model_name"][0] = ["u2net"]
    (first / "mask_adjust.json").write_text((EXAMPLES_DIR / "mask_adjust.json").read_text())
    server.restart(raw)
    refresh(registry)
    missing = registry.workflows["mask_adjust"]
    assert not missing.available and "model 'u2netp' is not installed (IB_RembgLoader.model_name lists: u2net)" in (
        missing.reason
    )
    assert missing.node_type == "IB_RembgLoader"


def test_a_server_that_is_down_keeps_what_was_known_and_new_files_wait(folders, tmp_path):
    first, _ = folders
    server = CapturedServer()
    registry = WorkflowRegistry([FolderSource(first)], server)
    refresh(registry)
    server.down = True
    shutil.copy(EXAMPLES_DIR / "remove_background.json", first / "later.json")
    refresh(registry)
    assert registry.workflows["mask_adjust"].available
    assert registry.workflows["later"].reason == "not checked yet: no ComfyUI server is available"
    server.down = False
    refresh(registry)
    assert registry.workflows["later"].available
