"""One run of a workflow: the template prompt with the caller's values, drawn seeds and resolved dynamic prompts.

Everything random is decided here, at submission, and stored in the task: a queued run does the same
thing after a bridge restart or an edit of the workflow file.
"""

from __future__ import annotations

import copy
import random
import secrets
from dataclasses import dataclass
from typing import Any

from ..graph.object_info import InputSpec
from . import dynamic_prompts
from .convert import wrap_value
from .spec import WorkflowSpec

# The frontend keeps random numbers within what JavaScript handles exactly (scripts/widgets.ts).
JS_SAFE = 1125899906842624


@dataclass(frozen=True)
class BoundRun:
    prompt: dict[str, dict[str, Any]]
    seeds: dict[str, Any]  # "node.input" -> the value drawn for a randomize widget
    seed: int  # the first seed widget's value (0 when the workflow has none), reported as the task's seed


def draw(spec: InputSpec, rng: random.Random) -> Any:
    """A new value for a widget whose control says randomize, as the frontend draws it."""
    if spec.type == "COMBO":
        choices = spec.choices or ()
        return choices[rng.randrange(len(choices))] if choices else None
    step = spec.options.get("step") or 1
    low = max(-JS_SAFE, spec.options.get("min", 0))
    high = min(JS_SAFE, spec.options.get("max", 2048))
    count = int((high - low) // step)
    return int(rng.randrange(max(count, 1)) * step + low)


def bind(spec: WorkflowSpec, values: dict[str, Any], rng: random.Random | None = None) -> BoundRun:
    """``values``: the caller's parameters (``{"prompt": ..., "sampler": {"steps": ...}}``), only those given."""
    rng = rng or secrets.SystemRandom()
    prompt = copy.deepcopy(spec.prompt)
    given: dict[tuple[str, str], Any] = {}
    for param in spec.params:
        found, value = _lookup(values, param.path)
        if found:
            for target in param.targets:
                given[target] = value
    seeds: dict[str, Any] = {}
    for drawn in spec.drawn:
        if any(t in given for t in drawn.targets):
            continue
        value = draw(drawn.spec, rng)
        seeds[drawn.key] = value
        for target in drawn.targets:
            given[target] = value
    for (node, name), text in spec.dynamic.items():
        value = given.get((node, name), text)
        if isinstance(value, str):
            given[(node, name)] = dynamic_prompts.process(value, rng)
    for (node, name), value in given.items():
        prompt[node]["inputs"][name] = wrap_value(value)
    seeds_used = [prompt[node]["inputs"].get(name) for node, name in spec.seed_inputs]
    seed = next((v for v in seeds_used if isinstance(v, int) and not isinstance(v, bool)), 0)
    return BoundRun(prompt, seeds, seed)


def _lookup(values: dict[str, Any], path: tuple[str, ...]) -> tuple[bool, Any]:
    current: Any = values
    for key in path:
        if not isinstance(current, dict) or current.get(key) is None:  # null: the default
            return False, None
        current = current[key]
    return True, current
