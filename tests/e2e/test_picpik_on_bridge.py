"""PICPIK on the real bridge and a real ComfyUI with the reduced SD1.5 models, driven by a small client
written from PICPIK's signature rules (no SDK exists): ModifyMaskedPixels → ListTasksDetails → the
images fetched without auth; every refusal a RetCode ≠ 0 with the request_uuid echoed; Volcengine at the
same path, still answered by Volcengine.
"""

import asyncio
import io
import json
import time

import httpx
import numpy as np
import pytest
from PIL import Image
from skimage import data

from api_bridge.contracts.picpik.signer import sign
from support.bridge import ThreadedBridge
from support.contract_inputs import b64png, box_mask, outside_band
from support.picpik_client import PicpikClient, signature
from support.test_checkpoints import INPAINTING, LORA, PLAIN, place_test_models
from support.test_embedding import EMBEDDING, write_embedding
from support.volc_sdk import ensure_client, sdk_call

PUBLIC, PRIVATE = "picpik-public-1", "picpik-private-1"
OTHER_PUBLIC, OTHER_PRIVATE = "picpik-public-2", "picpik:private:2"  # a private key may hold ':'
AK, SK = "AKLTPICPIKNEIGHBOUR", "volc-secret"
SHAPE = (80, 112)
BOX = (32, 20, 72, 56)
BLUR = 4
BAND = 2 + BLUR + 2


@pytest.fixture(scope="module")
def bridge(bridge_comfy, tmp_path_factory):
    place_test_models(bridge_comfy.models_dir)
    write_embedding(bridge_comfy.models_dir / "embeddings" / EMBEDDING)
    env = {
        "IB_PICPIK_KEYS": f"{PUBLIC}:{PRIVATE},{OTHER_PUBLIC}:{OTHER_PRIVATE}",
        "IB_VOLC_CREDENTIALS": f"{AK}:{SK}",
    }
    aliases = json.dumps({"PICPIK General": INPAINTING})  # IB_MODEL_ALIASES
    b = ThreadedBridge(
        tmp_path_factory.mktemp("picpik"), [bridge_comfy.url], env=env, model_aliases=aliases, poll_interval=0.5
    )
    yield b.start(timeout=120)
    b.stop()


@pytest.fixture(scope="module")
def client(bridge):
    return PicpikClient(bridge.url, PUBLIC, PRIVATE)


def photo() -> np.ndarray:
    return np.ascontiguousarray(data.chelsea()[::3, ::3][: SHAPE[0], : SHAPE[1]])


def mask_array(shape=SHAPE, box=BOX) -> np.ndarray:
    return box_mask(shape, box)


IMAGE, MASK = b64png(photo()), b64png(mask_array())


def modify(**fields) -> dict:
    body = {
        "MainModel": {"ModelCode": "PICPIK General", "InferenceParams": {"Steps": 6, "Sampler": "Euler a"}},
        "PositivePrompts": ["a small dog", "on a sofa"],
        "NegativePrompts": ["blurry"],
        "TranslatePrompts": True,
        "Seed": 7,
        "Width": 64,
        "Height": 64,
        "Masked": {"ImageIndex": 0, "MaskIndex": 1, "MaskBlur": BLUR},
        "ImageAndMaskList": [IMAGE, MASK],
    }
    return {**body, **fields}


def finished(client, uid: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = client.call("ListTasksDetails", TaskUIDList=[uid])
        assert out["RetCode"] == 0, out
        (detail,) = out["TaskDetailList"]
        if detail["Status"] in ("Finished", "Error"):
            return detail
        assert detail["Status"] in ("Queuing", "Running") and detail["ImgList"] == []
        time.sleep(0.2)
    raise AssertionError(f"task {uid} did not finish")


def last_task(bridge) -> dict:
    records = asyncio.run_coroutine_threadsafe(bridge.service.list(contract="picpik", limit=1), bridge.loop).result(30)
    return records[0].task


def test_the_clients_signer_and_the_bridges_agree_on_real_bodies():
    body = PicpikClient("", PUBLIC, PRIVATE).body("ModifyMaskedPixels", **modify(SubModelList=[{"ModelCode": "x"}]))
    assert body["Signature"] == sign(body, PRIVATE) == signature(body, PRIVATE)


def test_modify_masked_pixels_then_list_tasks_details(bridge, client):
    subs = [
        {"ModelCode": LORA, "InferenceParams": {"LoraWeight": 0.6}, "TriggerWordList": ["shiny"]},
        {"ModelCode": EMBEDDING.rsplit(".", 1)[0]},  # a stem: no LoRA of that name, so the embedding
    ]
    out = client.call("ModifyMaskedPixels", **modify(SubModelList=subs, BatchSize=2))
    assert out["RetCode"] == 0 and out["Action"] == "ModifyMaskedPixels" and out["Message"] == "", out
    uid = out["TaskUID"]
    detail = finished(client, uid)
    assert detail["Status"] == "Finished", detail
    assert detail["TaskUID"] == uid and detail["Action"] == "ModifyMaskedPixels" and detail["Seed"] == 7
    assert detail["ErrorCode"] == 0 and detail["ErrorMassage"] == "" and len(detail["ImgList"]) == 2
    source, mask = photo(), mask_array()
    far = outside_band(mask, BAND)
    images = []
    for url in detail["ImgList"]:
        r = httpx.get(url, timeout=30)  # no auth: plain URLs, valid 24 h
        assert r.status_code == 200 and r.headers["content-type"] == "image/png"
        image = np.asarray(Image.open(io.BytesIO(r.content)).convert("RGB"))
        assert image.shape == source.shape and np.array_equal(image[far], source[far])
        images.append(image)
    assert not np.array_equal(images[0], images[1]), "BatchSize 2: seeds 7 and 8"
    task = last_task(bridge)
    assert task["model"]["checkpoint"] == INPAINTING  # "PICPIK General" through IB_MODEL_ALIASES
    assert task["model"]["loras"] == [{"name": LORA, "model_strength": 0.6, "clip_strength": 0.6}]
    assert task["model"]["embeddings"] == [{"name": EMBEDDING, "where": "positive"}]
    assert task["prompt"] == {"positive": "a small dog, on a sofa, shiny", "negative": "blurry"}
    assert task["sampling"]["sampler"] == "euler_ancestral" and task["sampling"]["steps"] == 6
    assert task["sampling"]["denoise"] == 0.75 and task["sampling"]["count"] == 2  # ReferStrength 1
    assert (task["region"]["width"], task["region"]["height"]) == (64, 64) and task["blend"]["feather"] == BLUR
    assert task["mask"]["rule"] == "rgb_mean" and task["mask"]["invert"] is False


def test_both_inference_param_sets_invert_and_the_prompt_weight(bridge, client):
    params = {
        "Steps": 6,
        "CFGScale": 5.5,
        "ClipSkip": 2,
        "Sampler": "DPM++ 2M Karras",
        "LoraWeight": 1,
        "Resolution": 512,
    }
    body = modify(
        MainModel={"ModelCode": PLAIN, "Name": "plain", "IsOfficial": False, "InferenceParams": params},
        Masked={"ImageIndex": 1, "MaskIndex": 0, "InvertMask": True, "ReferStrength": 2, "PromptsMoreImportant": True},
        ImageAndMaskList=[MASK, IMAGE],
        Seed=-1,
    )
    out = client.call("ModifyMaskedPixels", **body)
    assert out["RetCode"] == 0, out
    detail = finished(client, out["TaskUID"])
    assert detail["Status"] == "Finished" and detail["Seed"] >= 0  # drawn, reported
    task = last_task(bridge)
    assert (task["sampling"]["cfg"], task["sampling"]["sampler"], task["sampling"]["scheduler"]) == (
        5.5,
        "dpmpp_2m",
        "karras",
    )
    assert task["model"]["clip_skip"] == 2 and task["mask"]["invert"] is True
    assert task["sampling"]["denoise"] == 0.5 and task["prompt"]["positive"] == "(a small dog, on a sofa:1.2)"
    assert task["blend"]["feather"] == 12  # MaskBlur's default
    # Inverted: the outer area was repainted, the box (black in the mask) is kept.
    (url,) = detail["ImgList"]
    image = np.asarray(Image.open(io.BytesIO(httpx.get(url, timeout=30).content)).convert("RGB"))
    x0, y0, x1, y1 = BOX
    inner = (slice(y0 + 12 + 4, y1 - 12 - 4), slice(x0 + 12 + 4, x1 - 12 - 4))
    assert np.array_equal(image[inner], photo()[inner])


def envelope(r: httpx.Response, ret_code: int, request_uuid: str, status: int = 200) -> str:
    body = r.json()
    assert r.status_code == status and body["RetCode"] == ret_code, r.text
    assert body["request_uuid"] == request_uuid
    return body["Message"]


def signed(client, action="ModifyMaskedPixels", **fields) -> dict:
    return client.body(action, **fields)


def test_signature_and_key_refusals(bridge, client):
    body = signed(client, **modify())
    tampered = {**body, "Seed": 8}
    assert "Signature" in envelope(client.post(tampered), 1004, body["request_uuid"])
    stranger = PicpikClient(bridge.url, "who-is-this", PRIVATE).body("ModifyMaskedPixels", **modify())
    assert "who-is-this" in envelope(client.post(stranger), 1003, stranger["request_uuid"])
    wrong_private = PicpikClient(bridge.url, PUBLIC, "not-the-private-key").body("ModifyMaskedPixels", **modify())
    envelope(client.post(wrong_private), 1004, wrong_private["request_uuid"])
    unsigned = {k: v for k, v in body.items() if k != "Signature"}
    envelope(client.post(unsigned), 1002, body["request_uuid"])
    other = PicpikClient(bridge.url, OTHER_PUBLIC, OTHER_PRIVATE)
    assert other.call("ListTasksDetails", TaskUIDList=["x"])["RetCode"] == 2004  # its signature verifies


@pytest.mark.parametrize(
    "fields, ret_code, words",
    [
        ({"Masked": None}, 2001, ["Masked"]),
        ({"Masked": {"ImageIndex": 0, "MaskIndex": 1, "MaskBlur": 65}}, 2001, ["Masked.MaskBlur"]),
        ({"BatchSize": 17}, 2001, ["BatchSize"]),
        ({"Width": 63}, 2001, ["Width"]),
        ({"Seed": "7"}, 2001, ["Seed"]),
        ({"Masked": {"ImageIndex": 0, "MaskIndex": 2}}, 2001, ["Masked.MaskIndex", "2 entries"]),
        ({"MainModel": {"ModelCode": "nope"}}, 2003, ["MainModel.ModelCode", INPAINTING, PLAIN]),
        ({"SubModelList": [{"ModelCode": "nothing-like-it"}]}, 2003, ["SubModelList[0]", EMBEDDING]),
        ({"MainModel": {"ModelCode": PLAIN, "InferenceParams": {"Sampler": "PLMS"}}}, 2001, ["Sampler", "ipndm"]),
        ({"ImageAndMaskList": [IMAGE, b64png(mask_array((40, 40), (4, 4, 20, 20)))]}, 2002, ["same size"]),
        ({"ImageAndMaskList": [IMAGE, "bm90IGFuIGltYWdl"]}, 2002, ["not a readable image"]),
        ({"ImageAndMaskList": [b64png(np.zeros((4097, 8, 3), np.uint8)), MASK]}, 2002, ["4097"]),
        ({"Image2Image": {"ImageIndex": 0}}, 2001, ["Image2Image"]),
    ],
)
def test_bad_requests_are_ret_codes_naming_the_field(bridge, client, fields, ret_code, words):
    body = signed(client, **modify(**fields))
    message = envelope(client.post(body), ret_code, body["request_uuid"])
    assert all(w in message for w in words), message


def test_transport_errors_unknown_actions_and_tasks(bridge, client):
    r = client.post(b"{broken")
    assert r.status_code == 400 and r.json()["RetCode"] == 1000
    body = signed(client, "ListModels")
    assert "ModifyMaskedPixels" in envelope(client.post(body), 1001, body["request_uuid"])
    body = signed(client, "ListTasksDetails", TaskUIDList=["nope"])
    assert "nope" in envelope(client.post(body), 2004, body["request_uuid"])
    uid = client.call("ModifyMaskedPixels", **modify())["TaskUID"]
    other = PicpikClient(bridge.url, OTHER_PUBLIC, OTHER_PRIVATE)
    assert other.call("ListTasksDetails", TaskUIDList=[uid])["RetCode"] == 2004, "another key's task"
    assert finished(client, uid)["Status"] == "Finished"


def test_volcengine_still_answers_at_the_same_path_and_strangers_get_the_bridges_refusal(bridge):
    ensure_client()
    out = sdk_call(bridge.host, "AKLTNOBODY", SK, "cv_process", {"req_key": "i2i_inpainting"})
    assert out["body"]["ResponseMetadata"]["Error"]["Code"] == "InvalidAccessKey"
    r = httpx.post(bridge.url + "/", json={"hello": "world"}, timeout=30)
    assert r.status_code == 400 and "picpik" in r.json()["error"]["message"]
    assert "volcengine" in r.json()["error"]["message"]


def test_without_keys_every_request_is_refused_unless_auth_is_switched_off(bridge_comfy, tmp_path):
    closed = ThreadedBridge(tmp_path / "closed", [bridge_comfy.url]).start(timeout=60)
    try:
        r = PicpikClient(closed.url, PUBLIC, PRIVATE).post(signed(PicpikClient("", PUBLIC, PRIVATE), **modify()))
        assert r.json()["RetCode"] == 1003 and "IB_PICPIK_KEYS" in r.json()["Message"]
    finally:
        closed.stop()
    open_ = ThreadedBridge(tmp_path / "open", [bridge_comfy.url], env={"IB_PICPIK_AUTH": "false"}).start(timeout=60)
    try:
        body = {"Action": "ModifyMaskedPixels", **modify(MainModel={"ModelCode": PLAIN})}  # no key, no signature
        r = httpx.post(open_.url + "/", json=body, timeout=60)
        assert r.json()["RetCode"] == 0 and r.json()["TaskUID"]
    finally:
        open_.stop()


def test_private_keys_never_reach_logs_or_task_records(bridge, client, caplog):
    import logging
    import sqlite3

    with caplog.at_level(logging.DEBUG):
        client.post({**signed(client, **modify()), "Seed": 99})  # a signature mismatch
        uid = client.call("ListTasksDetails", TaskUIDList=["nope"])
        client.call("ModifyMaskedPixels", **modify(MainModel={"ModelCode": "nope"}))
    assert uid["RetCode"] == 2004
    assert PRIVATE not in caplog.text and OTHER_PRIVATE not in caplog.text
    db = sqlite3.connect(bridge.data_dir / "tasks.sqlite3")
    try:
        dump = "\n".join(db.iterdump())
    finally:
        db.close()
    assert PUBLIC in dump, "tasks remember the PublicKey that made them"
    assert PRIVATE not in dump and OTHER_PRIVATE not in dump
