"""A1111 sampler names (what Novita, PICPIK, IOPaint and Fooocus clients send) → ComfyUI sampler + scheduler.

A1111 folds the noise schedule into the name ("DPM++ 2M Karras"); since 1.6 it may also
come separately ("DPM++ 2M" + schedule type "Karras"). ComfyUI keeps the two apart
(KSampler ``sampler_name`` and ``scheduler``). Names match case-insensitively, with
``_`` read as a space (``euler_a``); ComfyUI's own names pass through unchanged
(FooocusAPI sends ``dpmpp_2m_sde_gpu`` + ``karras``).

A name ComfyUI has no equivalent for (PLMS / PNDM, Restart) is an
error naming the closest ComfyUI samplers, never a silent substitute; so is an unknown
name (with the nearest known names).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .errors import BridgeError, ErrorCode

# A1111 sampler (without its schedule suffix) → (ComfyUI sampler, the scheduler A1111 uses by default).
A1111_SAMPLERS: dict[str, tuple[str, str]] = {
    "euler a": ("euler_ancestral", "normal"),
    "euler": ("euler", "normal"),
    "lms": ("lms", "normal"),
    "heun": ("heun", "normal"),
    "dpm2": ("dpm_2", "normal"),
    "dpm2 a": ("dpm_2_ancestral", "normal"),
    "dpm++ 2s a": ("dpmpp_2s_ancestral", "normal"),
    "dpm++ 2m": ("dpmpp_2m", "normal"),
    "dpm++ sde": ("dpmpp_sde", "normal"),
    "dpm++ 2m sde": ("dpmpp_2m_sde", "normal"),
    "dpm++ 2m sde heun": ("dpmpp_2m_sde_heun", "normal"),
    "dpm++ 3m sde": ("dpmpp_3m_sde", "normal"),
    "dpm fast": ("dpm_fast", "normal"),
    "dpm adaptive": ("dpm_adaptive", "normal"),
    "ddim": ("ddim", "ddim_uniform"),  # A1111's DDIM steps uniformly in timesteps
    "ddpm": ("ddpm", "normal"),
    "unipc": ("uni_pc", "normal"),  # A1111's default UniPC variant is bh1, as ComfyUI's uni_pc
    "lcm": ("lcm", "sgm_uniform"),
}

# A1111 names with no ComfyUI KSampler equivalent → the closest ComfyUI samplers, for the error.
NO_EQUIVALENT: dict[str, tuple[str, ...]] = {
    "plms": ("ipndm", "lms"),  # pseudo linear multistep; iPNDM is its improved, different successor
    "pndm": ("ipndm", "lms"),  # IOPaint's (diffusers) name for PLMS
    "restart": ("heun", "dpmpp_2m"),
}

# A1111 schedule types (the name suffix or the separate field) → ComfyUI scheduler.
A1111_SCHEDULES: dict[str, str] = {
    "karras": "karras",
    "exponential": "exponential",
    "sgm uniform": "sgm_uniform",
    "uniform": "normal",  # A1111 "Uniform": evenly spaced timesteps, ComfyUI's normal
    "normal": "normal",
    "simple": "simple",
    "ddim": "ddim_uniform",
    "beta": "beta",
    "kl optimal": "kl_optimal",
}
NAME_SUFFIXES = ("karras", "exponential", "sgm uniform")  # the schedules A1111 writes into sampler names


@dataclass(frozen=True)
class SamplerChoice:
    sampler: str
    scheduler: str


def _key(name: str) -> str:
    return " ".join(name.replace("_", " ").lower().split())


def _invalid(message: str) -> BridgeError:
    return BridgeError(ErrorCode.invalid_input, message)


def resolve_scheduler(schedule: str, comfy_schedulers: list[str] | tuple[str, ...] = ()) -> str:
    """An A1111 schedule type or a ComfyUI scheduler name → the ComfyUI scheduler."""
    if schedule in comfy_schedulers:
        return schedule
    key = _key(schedule)
    if key in A1111_SCHEDULES:
        return A1111_SCHEDULES[key]
    close = difflib.get_close_matches(key, [*A1111_SCHEDULES, *comfy_schedulers], n=3, cutoff=0.5)
    hint = f"; closest: {', '.join(close)}" if close else ""
    raise _invalid(f"unknown schedule type {schedule!r}{hint}")


def resolve_sampler(
    name: str,
    schedule: str | None = None,
    comfy_samplers: list[str] | tuple[str, ...] = (),
    comfy_schedulers: list[str] | tuple[str, ...] = (),
) -> SamplerChoice:
    """The ComfyUI sampler and scheduler for an A1111 (or ComfyUI) sampler ``name``.

    ``schedule`` (A1111 1.6+ "Schedule type", or a ComfyUI scheduler; None / "" / "Automatic" = from the
    name) overrides the name's suffix. ``comfy_samplers`` / ``comfy_schedulers`` (the server's lists) let
    ComfyUI's own names through and sharpen the error hints.
    """
    if not name or not name.strip():
        raise _invalid("sampler name is empty")
    key = _key(name)
    if name in comfy_samplers:
        choice = SamplerChoice(name, "normal")
    else:
        base, suffix = key, None
        for candidate in NAME_SUFFIXES:
            if key.endswith(" " + candidate):
                base, suffix = key[: -len(candidate) - 1], candidate
                break
        if base in NO_EQUIVALENT:
            closest = ", ".join(NO_EQUIVALENT[base])
            raise _invalid(f"sampler {name!r} has no ComfyUI equivalent; the closest ComfyUI samplers: {closest}")
        if base not in A1111_SAMPLERS:
            known = [*A1111_SAMPLERS, *NO_EQUIVALENT, *comfy_samplers]
            close = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise _invalid(f"unknown sampler {name!r}{hint}")
        sampler, default = A1111_SAMPLERS[base]
        choice = SamplerChoice(sampler, A1111_SCHEDULES[suffix] if suffix else default)
    if schedule and _key(schedule) != "automatic":
        choice = SamplerChoice(choice.sampler, resolve_scheduler(schedule, comfy_schedulers))
    return choice
