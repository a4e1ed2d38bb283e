"""The placement policy's cost per run against the pattern it replaced, on the same model in one process.

Run: .venv/bin/python bench/model_placement.py
- erase model (random-weight LaMa, 256² crop): ``on_compute_device`` (ComfyUI's ``load_models_gpu`` on a warm,
  registered model) + the fill, vs ComfyUI core's upscale-model lending (``free_memory``, move in, fill, move
  back to the CPU) + the same fill; and the placement step alone;
- SAM checkpoint (random-weight vit_b, one cached embedding): our stateless ``TorchSam.decode`` vs
  segment-anything's ``SamPredictor`` (set the image state, ``predict_torch``) on the same network.

Runs A and B in turn and takes the median of each and of the per-pair ratios. On a CPU-only ComfyUI both
placements move nothing: this measures the bookkeeping; on a GPU the lending pattern also copies the weights
in and out on every run, which the registered model does not.
"""

import os
import pathlib
import statistics
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from _common import load_pack_in_comfy, row  # noqa: E402


def paired(a, b, repeats: int) -> tuple[float, float, float]:
    """Median seconds of ``a`` and of ``b`` run in turn (one warm-up each), and the median of the ratios a/b."""
    a(), b()
    times_a, times_b = [], []
    for _ in range(repeats):
        for fn, times in ((a, times_a), (b, times_b)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    ratios = [x / y for x, y in zip(times_a, times_b, strict=True)]
    return statistics.median(times_a), statistics.median(times_b), statistics.median(ratios)


def erase_model(folder) -> None:
    import comfy.model_management as mm

    from inpaint_bridge.nodes import model_placement as placement
    from inpaint_bridge.nodes.common.erase_learned import LearnedEraser
    from inpaint_bridge.nodes.common.torch_modules import memory_bytes
    from support.tiny_models import build_lama

    path = build_lama(folder)["safetensors"]
    held = placement.hold(LearnedEraser(str(path)))
    lent = LearnedEraser(str(path))
    image = (np.random.default_rng(0).random((256, 256, 3)) * 255).astype(np.uint8)
    hole = np.zeros((256, 256), bool)
    hole[80:160, 90:170] = True

    def ours(fill=True):
        model = placement.on_compute_device(held)
        if fill:
            model(image, hole)

    def lending(fill=True):  # ComfyUI core's ImageUpscaleWithModel pattern
        device = mm.get_torch_device()
        mm.free_memory(2 * memory_bytes(lent.network), device)
        lent.network.to(device)
        try:
            if fill:
                lent(image, hole)
        finally:
            lent.network.to("cpu")

    a, b, ratio = paired(ours, lending, repeats=11)
    row("erase model (LaMa, 256²), placement + fill", f"{a * 1000:.1f} ms", f"{b * 1000:.1f} ms", f"{ratio:.3f}")
    a, b, ratio = paired(lambda: ours(fill=False), lambda: lending(fill=False), repeats=51)
    row("erase model (LaMa), placement alone", f"{a * 1000:.2f} ms", f"{b * 1000:.2f} ms", f"{ratio:.3f}")


def sam_decode(folder) -> None:
    import torch
    from segment_anything import SamPredictor

    from inpaint_bridge.nodes.common import sam_prompts as prompts
    from inpaint_bridge.nodes.common.sam_backends import TorchSam
    from support.tiny_models import build_sam_vit_b

    path = build_sam_vit_b(folder / "sam_vit_b_random.pth")
    sam = TorchSam(str(path))
    pixels = (np.random.default_rng(0).random((480, 640, 3)) * 255).astype(np.uint8)
    embedding = sam.embed(pixels)  # the encoder once (tens of seconds on two cores): not what is compared
    (prompt,) = prompts.parse_prompts("[[300, 200, 1]]", "[]", 1)
    ((coords, labels),) = prompts.decoder_prompts(prompt, 480, 640)
    predictor = SamPredictor(sam.network)
    predictor.features, predictor.original_size, predictor.is_image_set = embedding.features, (480, 640), True
    predictor.input_size = prompts.resize_longest(480, 640)
    point = torch.as_tensor(coords[:, :1]), torch.as_tensor(labels[:, :1], dtype=torch.int64)

    def ours():
        sam.decode(embedding, coords, labels, multimask=True)

    def with_predictor():
        with torch.inference_mode():
            predictor.predict_torch(*point, multimask_output=True)

    a, b, ratio = paired(ours, with_predictor, repeats=15)
    row("SAM decode (vit_b, 640×480)", f"{a * 1000:.1f} ms", f"{b * 1000:.1f} ms", f"{ratio:.3f}")


def main():
    load_pack_in_comfy()  # ComfyUI in-process (CPU), as the nodes run in it
    row("case", "ours (median)", "baseline (median)", "ratio ours/baseline (median of pairs)")
    with tempfile.TemporaryDirectory() as tmp:
        erase_model(pathlib.Path(tmp))
        sam_decode(pathlib.Path(tmp))


if __name__ == "__main__":
    main()
