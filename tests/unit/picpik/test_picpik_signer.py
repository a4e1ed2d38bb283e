"""PICPIK's SHA-1 signature: the three published test vectors, each rendering rule, and the test client's
independent signer agreeing with the bridge's on random bodies."""

import json
import random

import pytest

from api_bridge.contracts.picpik.signer import render, sign, signature_matches, string_to_sign
from support.picpik_client import signature as client_signature

PRIVATE = "123456"
VECTOR_3 = json.loads(
    """{"Action":"ModifyMaskedPixels","PublicKey":"abcdefg","TranslatePrompts":true,
   "request_uuid":"5ae03609-451b-44d7-a351-c72904df881b",
   "MainModel":{"InferenceParams":{"Steps":10,"CFGScale":7.5,"LoraWeight":1.0},"ModelCode":"PICPIK General"},
   "Masked":{"ImageIndex":0,"MaskIndex":1,"ReferStrength":1.0,"InvertMask":false,"MaskBlur":12},
   "NegativePrompts":[],"PositivePrompts":["a red ball","on grass"],"Seed":-1,
   "ImageAndMaskList":["aW1hZ2U=","bWFzaw=="]}"""
)
VECTOR_3_STRING = (
    "ActionModifyMaskedPixelsImageAndMaskListaW1hZ2U=bWFzaw==MainModelInferenceParamsCFGScale7.5LoraWeight1Steps10"
    "ModelCodePICPIK GeneralMaskedImageIndex0InvertMaskfalseMaskBlur12MaskIndex1ReferStrength1NegativePrompts"
    "PositivePromptsa red ballon grassPublicKeyabcdefgSeed-1TranslatePromptstruerequest_uuid"
    "5ae03609-451b-44d7-a351-c72904df881b123456"
)


@pytest.mark.parametrize(
    "params, text, expected",
    [
        (
            {"Action": "ListModels", "PublicKey": "abcdefg"},
            "ActionListModelsPublicKeyabcdefg123456",
            "4a20bc1141494035f6aaaad13224c94c5a8bc3a5",
        ),
        (
            {"Action": "StartPicpikApp", "PublicKey": "abcdefg", "AppId": "your_app_id"},
            "ActionStartPicpikAppAppIdyour_app_idPublicKeyabcdefg123456",
            "c5e65ad1936ff695436917bf807d2281db33e7a3",
        ),
        (VECTOR_3, VECTOR_3_STRING, "33e4c52c3c318bdf3960dd3b8894a32a01abc044"),
    ],
)
def test_the_published_vectors(params, text, expected):
    assert string_to_sign(params, PRIVATE) == text
    assert sign(params, PRIVATE) == expected == client_signature(params, PRIVATE)
    signed = {**params, "Signature": expected}
    assert signature_matches(signed, PRIVATE)
    assert signature_matches({**params, "Signature": expected.upper()}, PRIVATE)  # hex case does not matter
    assert not signature_matches(signed, "654321")
    assert not signature_matches({**signed, "Extra": ""}, PRIVATE), "an added key changes the string"


@pytest.mark.parametrize(
    "value, text",
    [
        ("x y", "x y"),
        (True, "true"),
        (False, "false"),
        (-1, "-1"),
        (0, "0"),
        (42.0, "42"),
        (7.5, "7.5"),
        (0.1, "0.1"),
        (1e-7, "0.0000001"),  # never scientific notation
        (1.5e16, "15000000000000000"),
        (None, ""),
        ("", ""),
        ([], ""),
        ([1, "a", [True, None]], "1atrue"),
        ({"b": 1, "B": 2, "a": {"z": None, "y": [0.5]}}, "B2ay0.5zb1"),  # code-point order: upper first
    ],
)
def test_rendering_rules(value, text):
    assert render(value) == text


def test_the_signature_covers_the_parsed_values_so_number_spelling_does_not_matter():
    one = json.loads('{"Action": "X", "PublicKey": "k", "Seed": 1.0, "W": 1e1}')
    other = json.loads('{"PublicKey": "k", "W": 10, "Action": "X", "Seed": 1}')
    assert sign(one, PRIVATE) == sign(other, PRIVATE)


def test_a_missing_or_non_string_signature_never_matches():
    assert not signature_matches({"Action": "X"}, PRIVATE)
    assert not signature_matches({"Action": "X", "Signature": 5}, PRIVATE)


def _random_value(rng: random.Random, depth: int = 0):
    kinds = ["str", "int", "float", "bool", "none"] + (["list", "dict"] if depth < 3 else [])
    kind = rng.choice(kinds)
    if kind == "str":
        return "".join(rng.choice("aZ09 _-=/+é中") for _ in range(rng.randint(0, 8)))
    if kind == "int":
        return rng.randint(-(10**6), 10**6)
    if kind == "float":
        return rng.choice([round(rng.uniform(-100, 100), rng.randint(0, 4)), float(rng.randint(-5, 5))])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "none":
        return None
    if kind == "list":
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {f"K{rng.randint(0, 99)}{c}": _random_value(rng, depth + 1) for c in "abc"[: rng.randint(0, 3)]}


def test_the_test_clients_signer_agrees_with_the_bridges_on_random_bodies():
    rng = random.Random(16)
    for _ in range(300):
        body = {"Action": "ModifyMaskedPixels", "PublicKey": "pk"}
        for i in range(rng.randint(1, 6)):
            body[f"F{i}{rng.choice('abXY_')}"] = _random_value(rng)
        body = json.loads(json.dumps(body))  # what the server parses
        assert sign(body, "secret") == client_signature(body, "secret"), body
