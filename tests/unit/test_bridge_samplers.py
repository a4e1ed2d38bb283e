"""A1111 sampler names → ComfyUI sampler + scheduler, one test per name, against the captured KSampler lists."""

import pytest

from api_bridge.errors import BridgeError, ErrorCode
from api_bridge.samplers import resolve_sampler, resolve_scheduler
from support.bridge import captured_object_info

_KSAMPLER = captured_object_info()["KSampler"]["input"]["required"]
SAMPLERS, SCHEDULERS = _KSAMPLER["sampler_name"][0], _KSAMPLER["scheduler"][0]

# Every name the contracts list (Novita's sampler_name enum, IOPaint's /api/v1/samplers, PICPIK's default),
# A1111's newer ones, and the spellings clients send.
EXPECTED = {
    "Euler a": ("euler_ancestral", "normal"),
    "Euler": ("euler", "normal"),
    "LMS": ("lms", "normal"),
    "LMS Karras": ("lms", "karras"),
    "Heun": ("heun", "normal"),
    "DPM2": ("dpm_2", "normal"),
    "DPM2 Karras": ("dpm_2", "karras"),
    "DPM2 a": ("dpm_2_ancestral", "normal"),
    "DPM2 a Karras": ("dpm_2_ancestral", "karras"),
    "DPM++ 2S a": ("dpmpp_2s_ancestral", "normal"),
    "DPM++ 2S a Karras": ("dpmpp_2s_ancestral", "karras"),
    "DPM++ 2M": ("dpmpp_2m", "normal"),
    "DPM++ 2M Karras": ("dpmpp_2m", "karras"),
    "DPM++ SDE": ("dpmpp_sde", "normal"),
    "DPM++ SDE Karras": ("dpmpp_sde", "karras"),
    "DPM++ 2M SDE": ("dpmpp_2m_sde", "normal"),
    "DPM++ 2M SDE Karras": ("dpmpp_2m_sde", "karras"),
    "DPM++ 2M SDE Exponential": ("dpmpp_2m_sde", "exponential"),
    "DPM++ 2M SDE Heun": ("dpmpp_2m_sde_heun", "normal"),
    "DPM++ 2M SDE Heun Karras": ("dpmpp_2m_sde_heun", "karras"),
    "DPM++ 3M SDE": ("dpmpp_3m_sde", "normal"),
    "DPM++ 3M SDE Karras": ("dpmpp_3m_sde", "karras"),
    "DPM fast": ("dpm_fast", "normal"),
    "DPM adaptive": ("dpm_adaptive", "normal"),
    "DDIM": ("ddim", "ddim_uniform"),
    "DDPM": ("ddpm", "normal"),
    "UniPC": ("uni_pc", "normal"),
    "LCM": ("lcm", "sgm_uniform"),
    "euler_a": ("euler_ancestral", "normal"),
    "dpm++ 2m karras": ("dpmpp_2m", "karras"),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_a1111_name_maps_onto_a_sampler_and_scheduler_comfyui_lists(name):
    choice = resolve_sampler(name, comfy_samplers=SAMPLERS, comfy_schedulers=SCHEDULERS)
    assert (choice.sampler, choice.scheduler) == EXPECTED[name]
    assert choice.sampler in SAMPLERS and choice.scheduler in SCHEDULERS


@pytest.mark.parametrize("name,closest", [("PLMS", "ipndm, lms"), ("PNDM", "ipndm, lms"), ("Restart", "heun")])
def test_a_name_without_an_equivalent_is_an_error_naming_the_closest(name, closest):
    with pytest.raises(BridgeError, match=f"no ComfyUI equivalent; the closest ComfyUI samplers: {closest}") as err:
        resolve_sampler(name, comfy_samplers=SAMPLERS)
    assert err.value.info.code == ErrorCode.invalid_input
    assert all(s in SAMPLERS for s in ("ipndm", "lms", "heun", "dpmpp_2m"))  # the hints exist on the server


def test_unknown_names_are_errors_with_near_matches():
    with pytest.raises(BridgeError, match=r"unknown sampler 'Euler b'; closest: euler a"):
        resolve_sampler("Euler b", comfy_samplers=SAMPLERS)
    with pytest.raises(BridgeError, match="sampler name is empty"):
        resolve_sampler(" ")
    with pytest.raises(BridgeError, match="unknown schedule type 'Align Your Steps'"):
        resolve_sampler("Euler", "Align Your Steps", SAMPLERS, SCHEDULERS)


def test_comfyui_names_pass_through_and_a_separate_schedule_type_wins():
    # FooocusAPI sends ComfyUI's own names.
    choice = resolve_sampler("dpmpp_2m_sde_gpu", "karras", SAMPLERS, SCHEDULERS)
    assert (choice.sampler, choice.scheduler) == ("dpmpp_2m_sde_gpu", "karras")
    # A1111 1.6+: the schedule in its own field; "Automatic" keeps the name's.
    assert resolve_sampler("DPM++ 2M", "Karras", SAMPLERS, SCHEDULERS).scheduler == "karras"
    assert resolve_sampler("DPM++ 2M Karras", "Automatic", SAMPLERS, SCHEDULERS).scheduler == "karras"
    assert resolve_sampler("DDIM", "SGM Uniform", SAMPLERS, SCHEDULERS).scheduler == "sgm_uniform"
    for schedule in (
        "Karras",
        "Exponential",
        "SGM Uniform",
        "Uniform",
        "Normal",
        "Simple",
        "DDIM",
        "Beta",
        "KL Optimal",
    ):
        assert resolve_scheduler(schedule, SCHEDULERS) in SCHEDULERS
