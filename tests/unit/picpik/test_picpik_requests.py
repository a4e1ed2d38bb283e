"""PICPIK without a server: request models (both InferenceParams sets, nulls, ranges), the handler's
signature and envelope rules, the mapping onto the inpaint task (and its graph), TaskDetail."""

import asyncio
import json

import pytest

from api_bridge.contracts.picpik import errors as E  # noqa: N812
from api_bridge.contracts.picpik.details import task_detail
from api_bridge.contracts.picpik.models import ListTasksDetails, ModifyMaskedPixels, parse
from api_bridge.contracts.picpik.routes import claim
from api_bridge.contracts.picpik.service import handle
from api_bridge.contracts.picpik.task import ResolvedModels, inpaint_task
from api_bridge.contracts.root import Claim, RootRequest
from api_bridge.errors import BridgeError, ErrorCode, ErrorInfo
from api_bridge.graph.recipes import build_graph
from api_bridge.samplers import resolve_sampler
from api_bridge.store.records import OutputRef, TaskRecord, TaskStatus
from api_bridge.tasks import ImageRef
from support.bridge import object_info
from support.picpik_client import PicpikClient
from support.test_checkpoints import INPAINTING, LORA

KEYS = {"pub": "priv"}
IMG = ImageRef(blob="in-image.png", width=96, height=64)
MASK = ImageRef(blob="in-mask.png", width=96, height=64)


def minimal(**fields) -> dict:
    return {
        "MainModel": {"ModelCode": "PICPIK General"},
        "Masked": {"ImageIndex": 0, "MaskIndex": 1},
        "ImageAndMaskList": ["aW1n", "bWFzaw=="],
        **fields,
    }


def test_defaults_and_nulls():
    req = parse("ModifyMaskedPixels", minimal(Seed=None, SubModelList=None, Image2Image=None, NegativePrompts=[None]))
    assert (req.Seed, req.Width, req.Height, req.BatchSize, req.TranslatePrompts) == (-1, 1024, 1024, 1, True)
    m, p = req.Masked, req.MainModel.InferenceParams
    assert (m.ReferStrength, m.InvertMask, m.MaskBlur, m.PromptsMoreImportant) == (1.0, False, 12, False)
    assert (p.Steps, p.Sampler, p.ClipSkip, p.CFGScale, p.LoraWeight) == (10, "Euler", 1, 7.5, 1.0)
    assert req.SubModelList == [] and req.NegativePrompts == [] and req.Image2Image is None


def test_both_inference_param_sets_are_accepted():
    older = {"Steps": 30, "Sampler": "DPM++ 2M Karras", "ClipSkip": 2, "CFGScale": 5.0, "LoraWeight": 0.5}
    current = {"LoraWeight": -1, "Resolution": 768, "ControlWeight": 2, "StartingStep": 0.1, "EndingStep": 0.9}
    for params in (older, current, {**older, **current}):
        req = parse("ModifyMaskedPixels", minimal(MainModel={"ModelCode": "m", "InferenceParams": params}))
        assert req.MainModel.InferenceParams.LoraWeight == params["LoraWeight"]


@pytest.mark.parametrize(
    "fields, where",
    [
        ({"Seed": 2147483648}, "Seed"),
        ({"Width": 2561}, "Width"),
        ({"BatchSize": 0}, "BatchSize"),
        ({"Masked": {"ImageIndex": 0, "MaskIndex": 1, "ReferStrength": 2.5}}, "Masked.ReferStrength"),
        ({"Masked": {"ImageIndex": -1, "MaskIndex": 1}}, "Masked.ImageIndex"),
        ({"Image2Image": {"ImageIndex": 0, "ReferStrength": 1.5}}, "Image2Image.ReferStrength"),
        ({"MainModel": {"ModelCode": ""}}, "MainModel.ModelCode"),
        ({"MainModel": {"ModelCode": "m", "InferenceParams": {"Steps": 5}}}, "MainModel.InferenceParams.Steps"),
        ({"InvertMask": "yes", "Masked": {"ImageIndex": 0, "MaskIndex": 1, "InvertMask": "yes"}}, "InvertMask"),
        ({"ImageAndMaskList": []}, "ImageAndMaskList"),
    ],
)
def test_out_of_range_or_mistyped_fields_name_the_field(fields, where):
    with pytest.raises(E.PicpikError) as err:
        parse("ModifyMaskedPixels", minimal(**fields))
    assert err.value.ret_code == E.INVALID_PARAMETER and where in err.value.message


def test_list_tasks_details_needs_ids():
    assert parse("ListTasksDetails", {"TaskUIDList": ["a", "b"]}) == ListTasksDetails(TaskUIDList=["a", "b"])
    with pytest.raises(E.PicpikError):
        parse("ListTasksDetails", {"TaskUIDList": []})


def run(body, keys=KEYS, actions=None) -> tuple[int, dict]:
    calls = []

    async def modify(req, owner):
        calls.append((req, owner))
        return {"TaskUID": "t1"}

    async def fail(req, owner):
        raise BridgeError(ErrorCode.queue_full, "full")

    actions = actions or {"ModifyMaskedPixels": modify, "ListTasksDetails": fail}
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    answer = asyncio.run(handle(raw, keys=keys, actions=actions))
    return answer.status, answer.body, calls


def test_a_signed_request_reaches_its_action_with_the_callers_public_key():
    body = PicpikClient("", "pub", "priv").body("ModifyMaskedPixels", **minimal())
    status, out, calls = run(body)
    assert status == 200 and out == {
        "Action": "ModifyMaskedPixels",
        "RetCode": 0,
        "Message": "",
        "request_uuid": body["request_uuid"],
        "TaskUID": "t1",
    }
    ((req, owner),) = calls
    assert isinstance(req, ModifyMaskedPixels) and owner == "pub"


@pytest.mark.parametrize(
    "mutate, ret_code",
    [
        (lambda b: b.pop("Signature"), E.MISSING_CREDENTIALS),
        (lambda b: b.pop("PublicKey"), E.MISSING_CREDENTIALS),
        (lambda b: b.update(PublicKey="stranger"), E.UNKNOWN_PUBLIC_KEY),
        (lambda b: b.update(Seed=3), E.BAD_SIGNATURE),
        (lambda b: b.update(Signature="0" * 40), E.BAD_SIGNATURE),
    ],
)
def test_signature_refusals_never_reach_the_action(mutate, ret_code):
    body = PicpikClient("", "pub", "priv").body("ModifyMaskedPixels", **minimal())
    mutate(body)
    status, out, calls = run(body)
    assert status == 200 and out["RetCode"] == ret_code and calls == []
    assert out["request_uuid"] == body["request_uuid"] and out["Action"] == "ModifyMaskedPixels"


def test_with_no_keys_every_request_is_refused_and_with_auth_off_none_is_checked():
    body = PicpikClient("", "pub", "priv").body("ModifyMaskedPixels", **minimal())
    assert run(body, keys={})[1]["RetCode"] == E.UNKNOWN_PUBLIC_KEY
    unsigned = {"Action": "ModifyMaskedPixels", **minimal()}
    status, out, calls = run(unsigned, keys=None)
    assert out["RetCode"] == 0 and calls[0][1] is None


def test_envelope_errors():
    assert run(b"{not json")[:2] == (400, E.envelope("", "", E.BAD_BODY, run(b"{not json")[1]["Message"]))
    assert run(b"[1, 2]")[0] == 400
    body = PicpikClient("", "pub", "priv").body("DeleteEverything")
    assert run(body)[1]["RetCode"] == E.BAD_ACTION
    body = PicpikClient("", "pub", "priv").body("ListTasksDetails", TaskUIDList=["x"])
    status, out, _ = run(body)
    assert status == 200 and out["RetCode"] == E.BUSY  # the bridge's queue_full through the action
    body = PicpikClient("", "pub", "priv").body("ModifyMaskedPixels", **minimal(Width="big"))
    assert run(body)[1]["RetCode"] == E.INVALID_PARAMETER


def test_a_bug_in_an_action_is_an_internal_error_without_its_details():
    async def broken(req, owner):
        raise ZeroDivisionError("secret internals")

    body = PicpikClient("", "pub", "priv").body("ModifyMaskedPixels", **minimal())
    status, out, _ = run(body, actions={"ModifyMaskedPixels": broken})
    assert status == 200 and out["RetCode"] == E.INTERNAL and "secret" not in out["Message"]


def test_bridge_errors_map_to_ret_codes():
    def code(info):
        return E.from_bridge_error(info).ret_code

    assert code(ErrorInfo(code=ErrorCode.model_not_found, message="m")) == E.MODEL_NOT_FOUND
    assert code(ErrorInfo(code=ErrorCode.input_too_large, message="m", details={"limit": "bytes"})) == E.INVALID_IMAGE
    assert code(ErrorInfo(code=ErrorCode.invalid_input, message="m", details={"limit": "format"})) == E.INVALID_IMAGE
    assert code(ErrorInfo(code=ErrorCode.invalid_input, message="m")) == E.INVALID_PARAMETER
    assert code(ErrorInfo(code=ErrorCode.unavailable, message="m")) == E.INTERNAL


@pytest.mark.parametrize(
    "body, expected",
    [
        ({"Action": "ModifyMaskedPixels"}, Claim.sure),
        ({"Action": "ListTasksDetails", "PublicKey": "p"}, Claim.sure),
        ({"Action": "ListModels"}, Claim.maybe),
        ({"PublicKey": "p"}, Claim.maybe),
        ({"req_key": "i2i_inpainting"}, Claim.no),
    ],
)
def test_claims(body, expected):
    assert claim(RootRequest([], {}, json.dumps(body).encode())) is expected
    assert claim(RootRequest([("Action", "CVProcess")], {}, json.dumps(body).encode())) is Claim.no


def test_a_broken_json_body_is_picpiks_to_answer_only_when_sent_as_json():
    assert claim(RootRequest([], {"content-type": "application/json"}, b"{oops")) is Claim.maybe
    assert claim(RootRequest([], {"content-type": "text/plain"}, b"{oops")) is Claim.no


def mapped(**fields):
    req = parse("ModifyMaskedPixels", minimal(**fields))
    models = ResolvedModels(
        checkpoint=INPAINTING, loras=[(LORA, 0.7)], embeddings=["neg-emb.pt"], trigger_words=["shiny"]
    )
    sampler = resolve_sampler(req.MainModel.InferenceParams.Sampler)
    return inpaint_task(req, image=IMG, mask=MASK, models=models, sampler=sampler)


def test_mapping_onto_the_inpaint_task():
    task = mapped(
        PositivePrompts=["a dog", " ", "red"],
        NegativePrompts=["neg-emb", "blur"],
        Seed=5,
        Width=1001,
        Height=64,
        BatchSize=3,
        Masked={"ImageIndex": 0, "MaskIndex": 1, "ReferStrength": 0, "InvertMask": True, "MaskBlur": 20},
        MainModel={"ModelCode": "x", "InferenceParams": {"Steps": 12, "CFGScale": 4, "ClipSkip": 3}},
    )
    assert task.seed == 5 and task.mask.rule == "rgb_mean" and task.mask.invert is True
    assert task.prompt.positive == "a dog, red, shiny" and task.prompt.negative == "neg-emb, blur"
    assert [(e.name, e.where) for e in task.model.embeddings] == [("neg-emb.pt", "mentioned")]
    assert [(lo.name, lo.model_strength, lo.clip_strength) for lo in task.model.loras] == [(LORA, 0.7, 0.7)]
    assert (task.sampling.steps, task.sampling.cfg, task.sampling.denoise, task.sampling.count) == (12, 4.0, 1.0, 3)
    assert task.model.clip_skip == 3 and (task.region.width, task.region.height) == (1000, 64)
    assert task.blend.feather == 20 and task.region.min_context >= task.blend.grow + task.blend.feather


def test_refer_strength_prompt_weight_and_a_drawn_seed():
    task = mapped(
        PositivePrompts=["a cat"],
        Masked={"ImageIndex": 0, "MaskIndex": 1, "ReferStrength": 2, "PromptsMoreImportant": True},
    )
    assert task.sampling.denoise == 0.5 and task.prompt.positive == "(a cat, shiny:1.2)" and task.seed is None
    assert [(e.name, e.where) for e in task.model.embeddings] == [("neg-emb.pt", "positive")]  # not named: appended
    assert mapped().sampling.denoise == 0.75  # ReferStrength's default 1


def test_the_mapped_task_builds_a_graph_on_the_captured_object_info():
    task = mapped(Seed=9, BatchSize=2).model_copy(
        update={"model": mapped().model.model_copy(update={"embeddings": []})}
    )
    prompt = build_graph(task, object_info()).prompt
    inpaint = next(n["inputs"] for n in prompt.values() if n["class_type"] == "IB_Inpaint")
    assert inpaint["count"] == 2 and inpaint["seed"] == 9 and inpaint["sampler_name"] == "euler"
    assert any(n["class_type"] == "LoraLoader" for n in prompt.values())


def record(status, error=None, outputs=()) -> TaskRecord:
    return TaskRecord(
        id="t1", kind="inpaint", contract="picpik", task={}, status=status, error=error, outputs=list(outputs),
        info={"seed": 11},
    )  # fmt: skip


def test_task_detail_for_each_status():
    url = "http://h/bridge/v1/outputs/{}".format
    done = task_detail(record(TaskStatus.succeeded, outputs=[OutputRef(name="image", key="a.png")]), url)
    assert done == {
        "TaskUID": "t1",
        "Action": "ModifyMaskedPixels",
        "Status": "Finished",
        "ImgList": ["http://h/bridge/v1/outputs/a.png"],
        "Seed": 11,
        "TxtList": [],
        "ConsumeApiPoint": 0,
        "ErrorCode": 0,
        "ErrorMassage": "",
    }
    assert task_detail(record(TaskStatus.queued), url)["Status"] == "Queuing"
    assert task_detail(record(TaskStatus.running), url)["Status"] == "Running"
    failed = task_detail(record(TaskStatus.failed, ErrorInfo(code=ErrorCode.execution_failed, message="boom")), url)
    assert (failed["Status"], failed["ErrorCode"], failed["ErrorMassage"]) == ("Error", E.GENERATION_FAILED, "boom")
    cancelled = task_detail(record(TaskStatus.cancelled, ErrorInfo(code=ErrorCode.timeout, message="late")), url)
    assert (cancelled["Status"], cancelled["ErrorCode"]) == ("Error", E.CANCELLED)
    gone = task_detail(record(TaskStatus.failed, ErrorInfo(code=ErrorCode.model_not_found, message="gone")), url)
    assert gone["ErrorCode"] == E.MODEL_NOT_FOUND
