"""Which engine and seed make each of an erase's candidates (Volcengine offers 3–4 results)."""

from .erase_engines import CLASSICAL_ENGINES, SEEDED

MODEL = "model"  # the learned model given to the node
ENGINES = (*CLASSICAL_ENGINES, MODEL)


def candidate_engines(engine: str, candidates: int, stochastic_model: bool = False) -> list[tuple[str, int]]:
    """(engine, seed offset) per candidate: a seeded engine gives one fill per seed; after a deterministic one
    (Telea, NS, LaMa, MI-GAN) the extra candidates cycle through the other weight-free engines."""
    if engine not in ENGINES:
        raise ValueError(f"unknown erase engine {engine!r}; choose one of {', '.join(ENGINES)}")
    others = [e for e in CLASSICAL_ENGINES if e != engine]
    seeded = engine in SEEDED or (engine == MODEL and stochastic_model)
    return [(engine, i) if i == 0 or seeded else (others[(i - 1) % len(others)], i) for i in range(candidates)]
