"""The inpaint and outpaint task kinds: parsing and refusals, embeddings in prompts, and their recipes' checks."""

import pytest
from pydantic import ValidationError

from api_bridge.errors import BridgeError, ErrorCode
from api_bridge.graph.builder import GraphBuildError
from api_bridge.graph.recipes import build_graph
from api_bridge.prompt_embeddings import reference, stem, with_embeddings
from api_bridge.tasks import image_refs, parse_task
from api_bridge.tasks.inpaint import Embedding, InpaintTask, OutpaintTask, PadFractions
from support.bridge import object_info

REF = {"blob": "in-abcdefgh12.png", "width": 100, "height": 60}
CKPT = "sd-v1-5-inpainting.safetensors"
INPAINT = {"kind": "inpaint", "image": REF, "mask": {"image": REF}, "model": {"checkpoint": CKPT}, "seed": 1}
OUTPAINT = {"kind": "outpaint", "image": REF, "model": {"checkpoint": CKPT}, "seed": 1}


def outpaint(extent: dict, **more) -> dict:
    return {**OUTPAINT, "outpaint": {"extent": extent}, **more}


def built(task: dict) -> dict[str, dict]:
    return build_graph(parse_task(task), object_info()).prompt


def nodes(task: dict) -> dict[str, dict]:
    """class_type → inputs of the built graph (each class once in these tasks)."""
    return {node["class_type"]: node["inputs"] for node in built(task).values()}


def ids(prompt: dict) -> dict[str, str]:
    return {node["class_type"]: node_id for node_id, node in prompt.items()}


def test_inpaint_and_outpaint_parse_with_the_defaults_of_their_nodes():
    t = parse_task(INPAINT)
    assert isinstance(t, InpaintTask) and parse_task(t.model_dump(mode="json")) == t
    assert (t.blend.grow, t.blend.feather, t.region.context, t.sampling.count) == (2, 8, "pixels", 1)
    o = parse_task(outpaint({"mode": "fraction", "left": 0.3}))
    assert isinstance(o, OutpaintTask) and isinstance(o.outpaint.extent, PadFractions)
    assert (o.blend.grow, o.blend.feather) == (0, 0), "outpaint: the overlap band is the blend"
    assert o.mask is None and [p for p, _ in image_refs(o)] == ["image"]


@pytest.mark.parametrize(
    "bad",
    [
        {**INPAINT, "model": {}},  # a checkpoint is required: no default model file
        {**INPAINT, "model": {"checkpoint": ""}},
        {**INPAINT, "sampling": {"steps": 20.0}},
        {**INPAINT, "sampling": {"count": 0}},
        {**INPAINT, "sampling": {"denoise": 1.5}},
        {**INPAINT, "region": {"width": 500}},  # not a multiple of 8
        {**INPAINT, "region": {"context": "bbox"}},
        {**INPAINT, "blend": {"mode": "alpha"}},
        {**INPAINT, "model": {"checkpoint": CKPT, "clip_skip": 0}},
        {**INPAINT, "model": {"checkpoint": CKPT, "loras": [{"name": "x.safetensors", "model_strength": "1"}]}},
        {**INPAINT, "model": {"checkpoint": CKPT, "embeddings": [{"name": "two words"}]}},
        {**INPAINT, "model": {"checkpoint": CKPT, "embeddings": [{"name": "a,b"}]}},
        {k: v for k, v in INPAINT.items() if k != "mask"},
        outpaint({"mode": "pixels"}),  # adds nothing
        outpaint({"mode": "fraction", "left": 0.001}),  # int(100 * 0.001) = 0: adds nothing
        outpaint({"mode": "target", "width": 96, "height": 64}),  # narrower than the image
        outpaint({"mode": "target", "width": 100, "height": 64}),  # not a multiple of 8
        outpaint({"mode": "pixels", "left": -8}),
        outpaint({"mode": "sideways", "left": 8}),
        {**OUTPAINT},  # no extent
        outpaint({"mode": "pixels", "left": 8}, adjust={"grow": 4}),  # adjust without a mask to adjust
    ],
)
def test_invalid_inpaint_and_outpaint_tasks_are_refused(bad):
    with pytest.raises(ValidationError):
        parse_task(bad)


def test_the_outpaint_mask_is_an_image_ref_of_the_task():
    o = parse_task(outpaint({"mode": "pixels", "top": 8}, mask={"image": {**REF, "blob": "in-mask0000001.png"}}))
    assert [p for p, _ in image_refs(o)] == ["image", "mask.image"]


@pytest.mark.parametrize(
    "where,positive,negative,expected",
    [
        ("mentioned", "a cat", "EasyNegative, blurry", ("a cat", "embedding:EasyNegative, blurry")),
        ("mentioned", "(EasyNegative:1.2)", "", ("(embedding:EasyNegative:1.2)", "")),
        ("mentioned", "x,EasyNegative.", "", ("x, embedding:EasyNegative .", "")),
        ("mentioned", "EasyNegatives and embedding:EasyNegative", "", ("EasyNegatives and embedding:EasyNegative", "")),
        ("mentioned", "a cat", "", ("a cat", "")),  # A1111: an embedding no prompt names has no effect
        ("positive", "a cat", "", ("a cat, embedding:EasyNegative", "")),
        ("negative", "a cat", "", ("a cat", "embedding:EasyNegative")),
    ],
)
def test_embeddings_are_written_as_comfyui_reads_them(where, positive, negative, expected):
    emb = Embedding(name="EasyNegative.safetensors", where=where)
    assert with_embeddings(positive, negative, [emb]) == expected


def test_embedding_names_keep_their_folder_and_lose_their_extension():
    assert stem("neg/EasyNegative.pt") == "EasyNegative"
    assert reference("neg/EasyNegative.pt") == "embedding:neg/EasyNegative"
    assert reference("bad-hands-5") == "embedding:bad-hands-5"


def test_model_parts_become_loaders_in_order():
    task = {
        **INPAINT,
        "model": {
            "checkpoint": CKPT,
            "vae": "ib-test-taesd.safetensors",
            "loras": [{"name": "ib-test-lora.safetensors", "model_strength": 0.5, "clip_strength": 0.25}],
            "clip_skip": 3,
        },
    }
    prompt = built(task)
    where = ids(prompt)
    lora, inpaint = prompt[where["LoraLoader"]]["inputs"], prompt[where["IB_Inpaint"]]["inputs"]
    assert lora["model"] == [where["CheckpointLoaderSimple"], 0] and lora["clip"] == [
        where["CheckpointLoaderSimple"],
        1,
    ]
    assert (lora["strength_model"], lora["strength_clip"]) == (0.5, 0.25)
    assert prompt[where["CLIPSetLastLayer"]]["inputs"] == {"clip": [where["LoraLoader"], 1], "stop_at_clip_layer": -3}
    assert inpaint["model"] == [where["LoraLoader"], 0] and inpaint["clip"] == [where["CLIPSetLastLayer"], 0]
    assert inpaint["vae"] == [where["VAELoader"], 0], "the VAE comes from VAELoader, not the checkpoint"
    assert "CLIPSetLastLayer" not in nodes(INPAINT) and "VAELoader" not in nodes(INPAINT)


@pytest.mark.parametrize(
    "model,message",
    [
        (
            {"checkpoint": "sdxl.safetensors"},
            r"model.checkpoint: 'sdxl.safetensors' is not installed .*models/checkpoints",
        ),
        ({"checkpoint": CKPT, "vae": "kl.safetensors"}, r"model.vae: 'kl.safetensors' is not installed .*models/vae"),
        (
            {"checkpoint": CKPT, "loras": [{"name": "ib-test-lora.safetensors"}, {"name": "detail.safetensors"}]},
            r"model.loras\[1\].name: 'detail.safetensors' is not installed .*models/loras",
        ),
    ],
)
def test_a_model_file_that_is_not_installed_fails_at_build_time(model, message):
    with pytest.raises(GraphBuildError, match=message) as err:  # a build error: the executor refetches once
        build_graph(parse_task({**INPAINT, "model": model}), object_info())
    info = err.value.info
    assert info.code == ErrorCode.model_not_found and info.http_status == 404  # as the contracts' resolver says it
    assert info.details["kind"] in ("checkpoint", "vae", "lora") and info.details["installed"]
    assert info.message.startswith(info.details["field"] + ": " + repr(info.details["name"]))


def test_a1111_sampler_names_are_resolved_and_unknown_ones_refused():
    inputs = nodes({**INPAINT, "sampling": {"sampler": "DPM++ SDE Karras"}})["IB_Inpaint"]
    assert (inputs["sampler_name"], inputs["scheduler"]) == ("dpmpp_sde", "karras")
    inputs = nodes({**INPAINT, "sampling": {"sampler": "dpmpp_2m_sde_gpu", "scheduler": "karras"}})["IB_Inpaint"]
    assert (inputs["sampler_name"], inputs["scheduler"]) == ("dpmpp_2m_sde_gpu", "karras")  # ComfyUI's own names
    with pytest.raises(BridgeError, match="'PLMS' has no ComfyUI equivalent") as err:
        build_graph(parse_task({**INPAINT, "sampling": {"sampler": "PLMS"}}), object_info())
    assert err.value.info.code == ErrorCode.invalid_input


def test_outpaint_modes_reach_the_expand_node():
    pixels = nodes(outpaint({"mode": "pixels", "left": 16, "bottom": 8}))["IB_OutpaintExpand"]
    assert (pixels["mode"], pixels["left"], pixels["top"], pixels["bottom"]) == ("pixels", 16, 0, 8)
    fraction = nodes(outpaint({"mode": "fraction", "right": 0.3}))["IB_OutpaintExpand"]
    assert fraction["right_fraction"] == 0.3 and "right" not in fraction
    target = nodes(outpaint({"mode": "target", "width": 128, "height": 64, "anchor": "left"}))["IB_OutpaintExpand"]
    assert (target["target_width"], target["target_height"], target["anchor"]) == (128, 64, "left")


def test_outpaint_with_a_mask_adds_it_at_the_originals_place():
    prompt = built(outpaint({"mode": "pixels", "left": 16}, mask={"image": REF}))
    where = ids(prompt)
    composite, expand = prompt[where["MaskComposite"]]["inputs"], where["IB_OutpaintExpand"]
    assert composite["destination"] == [expand, 1] and composite["operation"] == "add"
    assert (composite["x"], composite["y"]) == ([expand, 2], [expand, 3])
    inpaint = prompt[where["IB_Inpaint"]]["inputs"]
    assert inpaint["mask"] == [where["MaskComposite"], 0] and inpaint["image"] == [expand, 0]
