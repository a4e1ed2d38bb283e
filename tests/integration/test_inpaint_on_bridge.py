"""Inpaint and outpaint tasks through the real bridge on the session ComfyUI, with the reduced SD1.5 models.

The sampled pixels are noise (random weights); what is checked is what a client relies on:
unmasked pixels exact outside the blend band, N results for count N with seeds seed..seed+N−1
(reported and reproducible), outpaint sizes exact, the quality report in the record, and model
files that are not installed refused at build time in the task's error shape.
"""

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage
from skimage import data

from support.bridge import ThreadedBridge
from support.test_checkpoints import INPAINTING, LORA, PLAIN, VAE, place_test_models

GROW, FEATHER = 2, 6
BAND = GROW + FEATHER + 2  # + the feather's distance estimate and rounding (as the node tests)
TWO_REGIONS = ((10, 12, 34, 36), (104, 56, 128, 80))
SMALL = {"padding": 16, "min_context": 12, "width": 64, "height": 64}  # 64² crops: seconds on two cores


@pytest.fixture(scope="module")
def bridge(comfy_server, tmp_path_factory):
    place_test_models(comfy_server.models_dir)  # before the bridge reads /object_info
    b = ThreadedBridge(tmp_path_factory.mktemp("bridge-inpaint"), [comfy_server.url], poll_interval=0.5).start()
    yield b
    b.stop()


@pytest.fixture
def client(bridge):
    with bridge.client() as c:
        yield c


def photo() -> np.ndarray:
    return np.ascontiguousarray(data.coffee()[::4, ::4][:96, :144])  # 144×96


def mask_picture(*boxes, shape=(96, 144)) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    for x0, y0, x1, y1 in boxes:
        mask[y0:y1, x0:x1] = 255
    return mask


def rgb(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"))


def inpaint_task(image_ref, mask_ref, checkpoint=PLAIN, **parts) -> dict:
    task = {
        "kind": "inpaint",
        "image": image_ref,
        "mask": {"image": mask_ref},
        "model": {"checkpoint": checkpoint},
        "prompt": {"positive": "a cup of tea", "negative": "blurry"},
        "sampling": {"steps": 3, "cfg": 5.0, "sampler": "Euler"},
        "region": SMALL,
        "blend": {"grow": GROW, "feather": FEATHER},
    }
    return task | parts


@pytest.fixture(scope="module")
def inputs(bridge):
    with bridge.client() as c:
        return {
            "photo": bridge.upload(c, Image.fromarray(photo())),
            "two_regions": bridge.upload(c, Image.fromarray(mask_picture(*TWO_REGIONS))),
        }


def results(bridge, client, record) -> list[np.ndarray]:
    assert record["status"] == "succeeded", record["error"]
    return [rgb(bridge.fetch(client, out)) for out in record["outputs"] if out["name"] == "image"]


@pytest.mark.parametrize("checkpoint", [INPAINTING, PLAIN])
def test_inpaint_keeps_pixels_outside_the_band_and_reports_seeds_and_quality(bridge, client, inputs, checkpoint):
    task = inpaint_task(inputs["photo"], inputs["two_regions"], checkpoint, seed=5)
    task["sampling"] = {**task["sampling"], "count": 2}
    record = bridge.run_task(client, task)
    images = results(bridge, client, record)
    source, mask = photo(), mask_picture(*TWO_REGIONS)
    far = ndimage.distance_transform_edt(mask == 0) > BAND
    assert len(images) == 2, "count 2, two images"
    for image in images:
        assert image.shape == source.shape
        assert np.array_equal(image[far], source[far]), "a pixel outside the blend band changed"
        assert np.abs(image[mask > 0].astype(int) - source[mask > 0]).mean() > 5, "the masked area was not sampled"
    assert not np.array_equal(images[0], images[1]), "two results, two seeds"
    info = record["info"]
    assert info["seed"] == 5 and info["seeds"] == [5, 6]
    assert [q["max_abs_outside"] for q in info["quality"]] == [0.0, 0.0]
    assert all(q["regions"] == 2 and 0 < q["coverage"] < q["blend_coverage"] < 1 for q in info["quality"])
    assert all(q["seam_delta_e"] is not None for q in info["quality"])
    assert info["crop"][0]["regions"] == 2, "two far-apart regions, two crops"


def test_result_j_is_the_single_run_with_seed_plus_j(bridge, client, inputs):
    pair = inpaint_task(inputs["photo"], inputs["two_regions"], seed=21)
    pair["sampling"] = {**pair["sampling"], "count": 2}
    first, second = results(bridge, client, bridge.run_task(client, pair))
    alone = bridge.run_task(client, inpaint_task(inputs["photo"], inputs["two_regions"], seed=22))
    assert alone["info"]["seeds"] == [22]
    assert np.array_equal(results(bridge, client, alone)[0], second)
    again = results(bridge, client, bridge.run_task(client, {**pair, "sampling": {**pair["sampling"], "count": 1}}))
    assert np.array_equal(again[0], first), "the same seed reproduces the result"


def test_a_drawn_seed_is_reported_and_the_model_chain_runs(bridge, client, inputs):
    # No seed: the bridge draws one and reports it; LoRAs, another VAE and clip skip run on the real loaders.
    base = inpaint_task(inputs["photo"], inputs["two_regions"])
    plain = bridge.run_task(client, base)
    seed = plain["info"]["seed"]
    assert isinstance(seed, int) and seed >= 0 and plain["info"]["seeds"] == [seed]
    model = {
        "checkpoint": PLAIN,
        "vae": VAE,
        "loras": [{"name": LORA, "model_strength": 1.0, "clip_strength": 1.0}],
        "clip_skip": 2,
    }
    chained = bridge.run_task(client, {**base, "model": model, "seed": seed})
    (with_models,) = results(bridge, client, chained)
    (without,) = results(bridge, client, plain)
    far = ndimage.distance_transform_edt(mask_picture(*TWO_REGIONS) == 0) > BAND
    assert np.array_equal(with_models[far], photo()[far])
    assert not np.array_equal(with_models, without), "LoRA, VAE and clip skip change what is sampled"
    assert chained["info"]["quality"][0]["max_abs_outside"] == 0.0


def test_an_initial_noise_multiplier_samples_with_scaled_noise(bridge, client, inputs):
    # Novita's initial_noise_multiplier: IB_Inpaint switches to SamplerCustomAdvanced with IB_ScaledNoise.
    task = inpaint_task(inputs["photo"], inputs["two_regions"], seed=31)
    task["sampling"] = {**task["sampling"], "denoise": 0.8}
    (full,) = results(bridge, client, bridge.run_task(client, task))
    scaled = bridge.run_task(client, {**task, "sampling": {**task["sampling"], "noise_multiplier": 0.5}})
    (half,) = results(bridge, client, scaled)
    far = ndimage.distance_transform_edt(mask_picture(*TWO_REGIONS) == 0) > BAND
    assert np.array_equal(half[far], photo()[far]) and scaled["info"]["seeds"] == [31]
    assert not np.array_equal(half, full), "half the initial noise, another result"


def test_outpaint_size_is_exact_and_the_original_beyond_the_overlap_is_kept(bridge, client, inputs):
    overlap = 8
    task = {
        "kind": "outpaint",
        "image": inputs["photo"],
        "model": {"checkpoint": INPAINTING},
        "prompt": {"positive": "a table"},
        "sampling": {"steps": 3, "sampler": "Euler a"},
        "region": {"padding": 24, "min_context": 0, "width": 64, "height": 64},
        "outpaint": {"extent": {"mode": "pixels", "left": 20, "right": 36}, "overlap": overlap},
        "seed": 3,
    }
    record = bridge.run_task(client, task)
    (image,) = results(bridge, client, record)
    source = photo()
    assert image.shape == (96, 200, 3)  # 144 + 20 + 36 = 200, a multiple of 8; the height is not padded
    original_area = image[:, 20 : 20 + 144]
    assert np.array_equal(original_area[:, overlap:-overlap], source[:, overlap:-overlap])
    assert not np.array_equal(original_area[:, :overlap], source[:, :overlap]), "the overlap band was blended"
    assert np.abs(image[:, :20].astype(int) - source[:, :1]).mean() > 5, "the new area was sampled"
    assert record["outputs"][0]["width"] == 200 and record["outputs"][0]["height"] == 96
    (quality,) = record["info"]["quality"]
    assert quality["max_abs_outside"] == 0.0 and quality["regions"] == 2  # a strip on each side
    assert record["info"]["outpaint"][0] == {"left": 20, "top": 0, "right": 36, "bottom": 0, "width": 200, "height": 96}


def test_outpaint_with_a_mask_also_repaints_the_masked_part_of_the_original(bridge, client, inputs):
    task = {
        "kind": "outpaint",
        "image": inputs["photo"],
        "mask": {"image": inputs["two_regions"]},
        "model": {"checkpoint": PLAIN},
        "sampling": {"steps": 2},
        "region": SMALL,
        "outpaint": {"extent": {"mode": "fraction", "top": 0.25}, "overlap": 0},  # int(96 * 0.25) = 24 on top
        "seed": 8,
    }
    (image,) = results(bridge, client, bridge.run_task(client, task))
    source, mask = photo(), mask_picture(*TWO_REGIONS)
    assert image.shape == (120, 144, 3)
    original = image[24:]
    assert np.array_equal(original[mask == 0], source[mask == 0]), "grow/feather 0, overlap 0: only the mask changes"
    assert np.abs(original[mask > 0].astype(int) - source[mask > 0]).mean() > 5, "the masked part was repainted"


def quality_counts(client) -> dict[tuple[str, str], float]:
    """(histogram, kind) → observations, from the bridge's /metrics."""
    from prometheus_client.parser import text_string_to_metric_families

    counts = {}
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for s in family.samples:
            if s.name.startswith("ib_quality_") and s.name.endswith("_count"):
                counts[(s.name.removesuffix("_count"), s.labels["kind"])] = s.value
            if s.name == "ib_quality_max_abs_outside_bucket" and s.labels["le"] == "0.0":
                counts[("untouched", s.labels["kind"])] = s.value
    return counts


def test_quality_reports_reach_the_prometheus_histograms_by_kind(bridge, client, inputs):
    before = quality_counts(client)
    task = inpaint_task(inputs["photo"], inputs["two_regions"], seed=2)
    task["sampling"] = {**task["sampling"], "count": 2, "steps": 2}
    assert bridge.run_task(client, task)["status"] == "succeeded"
    erase = {"kind": "erase", "image": inputs["photo"], "mask": {"image": inputs["two_regions"]}}
    assert bridge.run_task(client, {**erase, "erase": {"engine": "telea"}})["status"] == "succeeded"
    after = quality_counts(client)

    def added(name, kind):
        return after.get((name, kind), 0) - before.get((name, kind), 0)

    for name in ("max_abs_outside", "seam_delta_e", "seam_gradient_jump", "coverage", "regions"):
        assert added(f"ib_quality_{name}", "inpaint") == 2, name  # one observation per result
        assert added(f"ib_quality_{name}", "erase") == 1, name
    assert added("untouched", "inpaint") == 2 and added("untouched", "erase") == 1, "max_abs_outside was 0"


@pytest.mark.parametrize(
    "model,field",
    [
        ({"checkpoint": "sdxl-base.safetensors"}, "model.checkpoint"),
        ({"checkpoint": PLAIN, "loras": [{"name": "missing-lora.safetensors"}]}, "model.loras[0].name"),
    ],
)
def test_a_model_file_that_is_not_installed_fails_the_task_at_build_time(bridge, client, inputs, model, field):
    record = bridge.run_task(client, {**inpaint_task(inputs["photo"], inputs["two_regions"]), "model": model})
    assert record["status"] == "failed" and record["outputs"] == []
    error = record["error"]
    assert error["code"] == "model_not_found" and error["message"].startswith(f"{field}: ")
    assert "is not installed on this ComfyUI" in error["message"] and error["details"]["field"] == field
    assert error["details"]["installed"], "the error lists what is installed"
