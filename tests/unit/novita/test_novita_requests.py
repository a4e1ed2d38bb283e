"""Novita without a server: the body as the Python SDK sends it, ranges, keys, the error mapping, the
task-result shape, the /v3/model listing and the mapping onto the inpaint task (and its graph)."""

import json

import pytest

from api_bridge.contracts.novita.auth import authenticate, fingerprint, presented_key
from api_bridge.contracts.novita.catalog import ResolvedModels, installed_models
from api_bridge.contracts.novita.errors import REASONS, NovitaError, from_bridge_error
from api_bridge.contracts.novita.listing import InstalledModel, models_page, parse_filters
from api_bridge.contracts.novita.models import SAMPLERS, parse_body
from api_bridge.contracts.novita.results import ResultImage, mock_payload, task_result
from api_bridge.contracts.novita.task import inpaint_task
from api_bridge.errors import ErrorCode, ErrorInfo
from api_bridge.graph.recipes import build_graph
from api_bridge.samplers import resolve_sampler
from api_bridge.store.records import Progress, TaskRecord, TaskStatus
from api_bridge.tasks import ImageRef
from support.bridge import object_info
from support.test_checkpoints import INPAINTING, LORA, VAE

# Exactly what novita-client 0.7.1 posts for client.inpainting(...) with its defaults (novita.md §5).
SDK_BODY = {
    "extra": {
        "response_image_type": "jpeg",
        "enable_nsfw_detection": False,
        "nsfw_detection_level": 0,
        "custom_storage": {},
        "enterprise_plan": {},
    },
    "request": {
        "model_name": "m",
        "image_base64": "aW1n",
        "mask_image_base64": "bWFzaw==",
        "prompt": "a cat",
        "image_num": 1,
        "steps": 20,
        "guidance_scale": 7.5,
        "seed": 42,
        "sampler_name": "Euler a",
        "negative_prompt": None,
        "mask_blur": None,
        "sd_vae": "",
        "loras": None,
        "embeddings": None,
        "clip_skip": None,
        "strength": None,
        "inpainting_full_res": 0,
        "inpainting_full_res_padding": 8,
        "inpainting_mask_invert": 0,
        "initial_noise_multiplier": 0.5,
    },
}


def body(**request) -> bytes:
    extra = request.pop("extra", SDK_BODY["extra"])
    return json.dumps({"extra": extra, "request": {**SDK_BODY["request"], **request}}).encode()


def test_the_sdks_body_with_its_nulls_empty_strings_and_empty_objects():
    parsed = parse_body(body())
    req = parsed.request
    assert parsed.extra.response_image_type == "jpeg" and parsed.extra.webhook is None
    assert (req.negative_prompt, req.mask_blur, req.sd_vae, req.loras, req.embeddings) == ("", None, None, [], [])
    assert (req.clip_skip, req.strength, req.seed) == (None, None, 42)
    assert parse_body(json.dumps({"request": SDK_BODY["request"]}).encode()).extra.response_image_type == "png"


@pytest.mark.parametrize("name", SAMPLERS)
def test_every_contract_sampler_parses_and_all_but_plms_have_a_comfyui_equivalent(name):
    assert parse_body(body(sampler_name=name)).request.sampler_name == name
    if name == "PLMS":
        with pytest.raises(Exception, match="no ComfyUI equivalent"):
            resolve_sampler(name)
    else:
        assert resolve_sampler(name).sampler


@pytest.mark.parametrize(
    "fields, where",
    [
        ({"prompt": "x" * 1025}, "request.prompt"),
        ({"negative_prompt": "x" * 1025}, "request.negative_prompt"),
        ({"image_num": 0}, "request.image_num"),
        ({"steps": 101}, "request.steps"),
        ({"guidance_scale": 0.5}, "request.guidance_scale"),
        ({"guidance_scale": 31}, "request.guidance_scale"),
        ({"sampler_name": "euler"}, "request.sampler_name"),
        ({"mask_blur": 65}, "request.mask_blur"),
        ({"seed": -2}, "request.seed"),
        ({"clip_skip": 13}, "request.clip_skip"),
        ({"strength": 0}, "request.strength"),
        ({"strength": 1.01}, "request.strength"),
        ({"inpainting_full_res": 2}, "request.inpainting_full_res"),
        ({"inpainting_full_res_padding": 257}, "request.inpainting_full_res_padding"),
        ({"inpainting_mask_invert": 2}, "request.inpainting_mask_invert"),
        ({"initial_noise_multiplier": 1.6}, "request.initial_noise_multiplier"),
        ({"loras": [{"model_name": "a", "strength": 1.5}]}, "request.loras.0.strength"),
        ({"loras": [{"model_name": "a"}]}, "request.loras.0.strength"),
        ({"embeddings": [{"model_name": "e"}] * 6}, "request.embeddings"),
        ({"steps": True}, "request.steps"),
        ({"model_name": None}, "request.model_name"),
        ({"extra": {"response_image_type": "gif"}}, "extra.response_image_type"),
        (
            {"extra": {"webhook": {"url": "http://x", "test_mode": {"return_task_status": "TASK_STATUS_FAILED"}}}},
            "enabled",
        ),
        ({"extra": {"webhook": {"test_mode": {"enabled": True}}}}, "extra.webhook.url"),
        ({"extra": {"enable_nsfw_detection": True}}, "enable_nsfw_detection"),
    ],
)
def test_ranges_and_types_are_invalid_request_body_naming_the_field(fields, where):
    with pytest.raises(NovitaError) as err:
        parse_body(body(**fields))
    assert err.value.reason == "INVALID_REQUEST_BODY" and err.value.status == 400 and where in err.value.message


def test_integral_floats_are_integers_but_fractions_are_not():
    assert parse_body(body(steps=20.0)).request.steps == 20
    with pytest.raises(NovitaError):
        parse_body(body(steps=20.5))


def test_keys_bearer_or_raw_constant_time_against_every_key():
    keys = ["k1", "k2"]
    assert presented_key({"authorization": "Bearer k1"}) == presented_key({"authorization": "k1"}) == "k1"
    assert presented_key({"authorization": "bearer   k2 "}) == "k2"
    assert authenticate({"authorization": "k2"}, keys) == fingerprint("k2") != "k2"
    with pytest.raises(NovitaError) as err:
        authenticate({}, keys)
    assert (err.value.reason, err.value.status) == ("MISSING_API_KEY", 401)
    with pytest.raises(NovitaError) as err:
        authenticate({"authorization": "Bearer "}, keys)
    assert err.value.reason == "MISSING_API_KEY"
    with pytest.raises(NovitaError) as err:
        authenticate({"authorization": "Bearer k3"}, keys)
    assert (err.value.reason, err.value.status) == ("INVALID_API_KEY", 403) and "k3" not in err.value.message
    with pytest.raises(NovitaError) as err:
        authenticate({"authorization": "k1"}, [])
    assert "IB_NOVITA_KEYS" in err.value.message
    assert authenticate({}, [], enabled=False) is None


def test_reason_table_and_the_bridge_error_mapping():
    assert (
        REASONS["INVALID_API_KEY"] == 403 and REASONS["TASK_NOT_FOUND"] == 404 and REASONS["RATE_LIMIT_EXCEEDED"] == 429
    )

    def reason(code, **details):
        return from_bridge_error(ErrorInfo(code=code, message="m", details=details)).reason

    assert reason(ErrorCode.input_too_large, limit="bytes") == "IMAGE_FILE_EXCEEDS_MAX_SIZE"
    assert reason(ErrorCode.input_too_large, limit="resolution") == "IMAGE_EXCEEDS_MAX_RESOLUTION"
    assert reason(ErrorCode.invalid_input, limit="format") == "INVALID_IMAGE_FORMAT"
    assert reason(ErrorCode.model_not_found, kind="lora", name="x", installed=["a"]) == "INVALID_REQUEST_BODY"
    assert reason(ErrorCode.queue_full) == "RATE_LIMIT_EXCEEDED"
    assert reason(ErrorCode.unavailable) == "CREATE_TASK_FAILED"
    error = from_bridge_error(ErrorInfo(code=ErrorCode.execution_failed, message="m"), submitting=False)
    assert error.reason == "GET_RESULT_FAILED"
    missing = from_bridge_error(
        ErrorInfo(code=ErrorCode.model_not_found, message="m", details={"kind": "lora", "name": "x", "installed": []})
    )
    assert missing.body() == {
        "code": 400,
        "reason": "INVALID_REQUEST_BODY",
        "message": "m",
        "metadata": {"kind": "lora", "name": "x", "installed": []},
    }


def record(status, **kw) -> TaskRecord:
    return TaskRecord(
        id="t1", kind="inpaint", contract="novita", task={}, status=status, info={"seed": 158881667},
        created_at=1.5, **kw,
    )  # fmt: skip


def test_task_result_shape_for_each_status():
    image = ResultImage(url="http://h/o.jpg", image_type="jpeg", ttl=3600)
    done = task_result(record(TaskStatus.succeeded, started_at=2.0, finished_at=3.25), [image])
    assert done == {
        "extra": {
            "seed": "158881667",
            "enable_nsfw_detection": False,
            "debug_info": {
                "request_info": "",
                "submit_time_ms": "1500",
                "execute_time_ms": "2000",
                "complete_time_ms": "3250",
            },
        },
        "task": {
            "task_id": "t1",
            "status": "TASK_STATUS_SUCCEED",
            "reason": "",
            "task_type": "INPAINTING",
            "eta": 0,
            "progress_percent": 100,
        },
        "images": [
            {
                "image_url": "http://h/o.jpg",
                "image_type": "jpeg",
                "image_url_ttl": "3600",
                "nsfw_detection_result": None,
            }
        ],
        "videos": [],
        "audios": [],
    }
    queued = task_result(record(TaskStatus.queued), [image])
    assert queued["task"]["status"] == "TASK_STATUS_QUEUED" and queued["images"] == []
    assert queued["extra"]["debug_info"]["execute_time_ms"] == "0"
    running = task_result(record(TaskStatus.running, progress=Progress(fraction=0.999)), [])
    assert running["task"]["status"] == "TASK_STATUS_PROCESSING" and running["task"]["progress_percent"] == 99
    for status in (TaskStatus.failed, TaskStatus.cancelled):
        failed = task_result(record(status, error=ErrorInfo(code=ErrorCode.timeout, message="too slow")), [image])
        assert failed["task"]["status"] == "TASK_STATUS_FAILED" and failed["task"]["reason"] == "too slow"
        assert failed["images"] == []


def test_the_mock_payload():
    payload = mock_payload("t9", "TASK_STATUS_FAILED", 3, {"url": "http://h"})
    assert payload["task"]["status"] == "TASK_STATUS_FAILED" and payload["task"]["reason"]
    assert payload["extra"]["seed"] == "3" and payload["images"] == []


INSTALLED = [
    InstalledModel("checkpoint", "sd15-inpainting.safetensors", "sd15", True),
    InstalledModel("checkpoint", "xl/base.safetensors", "sdxl", False),
    InstalledModel("checkpoint", "other.ckpt", "unknown", False),
    InstalledModel("lora", "detail.safetensors"),
    InstalledModel("vae", "vae-ft.safetensors"),
    InstalledModel("embedding", "easyneg.pt"),
]


def listed(**params) -> tuple[list[str], str]:
    page = models_page(INSTALLED, parse_filters(params))
    return [m["sd_name"] for m in page["models"]], page["pagination"]["next_cursor"]


def test_listing_filters():
    assert len(listed()[0]) == 6
    assert listed(**{"filter.types": "checkpoint", "filter.is_inpainting": "1"}) == (
        ["sd15-inpainting.safetensors"],
        "",
    )
    assert listed(**{"filter.is_inpainting": "true"})[0] == ["sd15-inpainting.safetensors"]
    assert listed(**{"filter.type": "lora"})[0] == ["detail.safetensors"]  # the Python SDK's spelling
    assert listed(**{"filter.types": "lora,vae"})[0] == ["detail.safetensors", "vae-ft.safetensors"]
    assert listed(**{"filter.types": "textualinversion"})[0] == ["easyneg.pt"]
    assert listed(**{"filter.types": "checkpoint", "filter.is_sdxl": "true"})[0] == ["xl/base.safetensors"]
    assert "xl/base.safetensors" not in listed(**{"filter.is_sdxl": "False"})[0]
    assert listed(**{"filter.query": "INPAINT"})[0] == ["sd15-inpainting.safetensors"]
    assert listed(**{"filter.visibility": "private"}) == ([], "")
    assert listed(**{"filter.source": "civitai"}) == ([], "")
    assert len(listed(**{"filter.source": "uploading", "filter.visibility": "public"})[0]) == 6
    assert listed(**{"filter.types": "controlnet"}) == ([], "")


def test_listing_pages_and_entries():
    first, cursor = listed(**{"pagination.limit": "4"})
    second, end = listed(**{"pagination.limit": "4", "pagination.cursor": cursor})
    assert (len(first), cursor, len(second), end) == (4, "c_4", 2, "")
    assert set(first).isdisjoint(second)
    (entry,) = models_page(INSTALLED, parse_filters({"filter.types": "checkpoint", "filter.query": "xl/"}))["models"]
    assert entry["name"] == "base" and entry["sd_name"] == entry["sd_name_in_api"] == "xl/base.safetensors"
    assert entry["type"] == {"name": "checkpoint", "display_name": "Checkpoint"} and entry["status"] == 1
    assert entry["base_model"] == "SDXL 1.0" and entry["is_sdxl"] is True and isinstance(entry["id"], int)


@pytest.mark.parametrize(
    "params",
    [
        {"filter.types": "hypernetwork"},
        {"filter.is_sdxl": "maybe"},
        {"filter.visibility": "secret"},
        {"pagination.limit": "0"},
        {"pagination.limit": "101"},
        {"pagination.limit": "1.5"},
        {"pagination.cursor": "page2"},
    ],
)
def test_bad_listing_parameters(params):
    with pytest.raises(NovitaError) as err:
        parse_filters(params)
    assert err.value.reason == "INVALID_REQUEST_BODY" and next(iter(params)) in err.value.message


def test_the_catalog_listing_becomes_the_listed_files():
    listing = {
        "checkpoints": [{"name": INPAINTING, "family": "sd15", "inpainting": True}, {"name": "x.ckpt", "family": None}],
        "loras": [{"name": LORA}],
        "vae": [{"name": VAE}],
        "embeddings": [{"name": "e.pt"}],
        "erase_models": [{"name": "big-lama.pt"}],
    }
    assert installed_models(listing) == [
        InstalledModel("checkpoint", INPAINTING, "sd15", True),
        InstalledModel("checkpoint", "x.ckpt", "unknown", False),
        InstalledModel("lora", LORA),
        InstalledModel("vae", VAE),
        InstalledModel("embedding", "e.pt"),
    ]


IMG = ImageRef(blob="in-image.png", width=96, height=64)
MASK = ImageRef(blob="in-mask.png", width=96, height=64)
MODELS = ResolvedModels(checkpoint=INPAINTING, family="sd15", vae=VAE, loras=[(LORA, 0.8)], embeddings=["emb.pt"])


def mapped(side=None, models=MODELS, **fields):
    req = parse_body(body(**fields)).request
    return inpaint_task(req, image=IMG, mask=MASK, models=models, sampler=resolve_sampler(req.sampler_name), side=side)


def test_every_field_lands_on_one_task_field():
    task = mapped(
        negative_prompt="ugly",
        mask_blur=9,
        clip_skip=2,
        strength=0.6,
        inpainting_full_res=1,
        inpainting_full_res_padding=40,
        inpainting_mask_invert=1,
        initial_noise_multiplier=1.2,
        image_num=4,
        sampler_name="DPM++ 2M Karras",
    )
    assert task.seed == 42 and task.mask.rule == "luminance" and task.mask.invert is True
    assert task.model.checkpoint == INPAINTING and task.model.vae == VAE and task.model.clip_skip == 2
    assert [(lo.name, lo.model_strength, lo.clip_strength) for lo in task.model.loras] == [(LORA, 0.8, 0.8)]
    assert [(e.name, e.where) for e in task.model.embeddings] == [("emb.pt", "mentioned")]
    assert (task.prompt.positive, task.prompt.negative) == ("a cat", "ugly")
    s = task.sampling
    assert (s.steps, s.cfg, s.sampler, s.scheduler, s.denoise, s.count) == (20, 7.5, "dpmpp_2m", "karras", 0.6, 4)
    assert s.noise_multiplier == 1.2
    assert (task.region.context, task.region.padding, task.region.width, task.region.height) == ("pixels", 40, 512, 512)
    assert task.blend.feather == 9 and task.region.min_context == task.blend.grow + 9 + 2


def test_defaults_follow_a1111_and_the_family_sets_the_sampling_size():
    task = mapped(seed=-1)
    assert task.seed is None and task.region.context == "whole_image"
    assert (task.sampling.denoise, task.blend.feather, task.model.clip_skip) == (0.75, 4, 1)
    assert task.sampling.noise_multiplier == 0.5  # the contract's default, as the SDK sends it
    xl = ResolvedModels(checkpoint="xl.safetensors", family="sdxl", vae=None, loras=[], embeddings=[])
    assert mapped(models=xl).region.width == 1024 and mapped(side=64).region.height == 64


def test_the_mapped_task_builds_a_graph_on_the_captured_object_info():
    models = ResolvedModels(checkpoint=INPAINTING, family="sd15", vae=VAE, loras=[(LORA, 0.8)], embeddings=[])
    task = mapped(models=models, seed=3, image_num=2, inpainting_full_res=1).model_copy(update={"seed": 3})
    prompt = build_graph(task, object_info()).prompt
    kinds = {n["class_type"] for n in prompt.values()}
    assert {"CheckpointLoaderSimple", "LoraLoader", "VAELoader", "IB_Inpaint"} <= kinds
    inpaint = next(n["inputs"] for n in prompt.values() if n["class_type"] == "IB_Inpaint")
    assert (inpaint["count"], inpaint["seed"], inpaint["sampler_name"]) == (2, 3, "euler_ancestral")
    assert inpaint["noise_multiplier"] == 0.5 and inpaint["context_mode"] == "pixels"
