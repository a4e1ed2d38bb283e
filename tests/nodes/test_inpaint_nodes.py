"""Inpaint nodes in-process: the reduced test checkpoints load as SD15, crop/stitch/outpaint execute
directly, and IB_Inpaint expands into the right core sub-graph for each kind of model and mask."""

import json

import pytest
import torch
from skimage import data

from support.test_checkpoints import write


@pytest.fixture(scope="module")
def inpaint(pack_module):
    return pack_module("inpaint")


@pytest.fixture(scope="module")
def sample(pack_module):
    return pack_module("inpaint_sample")


@pytest.fixture(scope="module")
def checkpoint_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("checkpoints")
    return {
        "plain": write(folder / "plain.safetensors", inpaint=False),
        "inpaint": write(folder / "inpaint.safetensors", inpaint=True),
        "kl": write(folder / "kl.safetensors", inpaint=False, vae="kl"),
    }


@pytest.fixture(scope="module")
def loaded(comfy_nodes, checkpoint_files):
    import comfy.sd

    return {
        kind: comfy.sd.load_checkpoint_guess_config(str(path), output_vae=True, output_clip=True)[:3]
        for kind, path in checkpoint_files.items()
    }


def _photo():
    return torch.from_numpy(data.astronaut()[::4, ::4].copy()).float().div(255)[None]  # 128²


def _mask(*boxes):
    mask = torch.zeros(1, 128, 128)
    for x0, y0, x1, y1 in boxes:
        mask[0, y0:y1, x0:x1] = 1
    return mask


@pytest.mark.parametrize("kind", ["plain", "inpaint", "kl"])
def test_test_checkpoint_loads_complete_as_sd15(loaded, checkpoint_files, kind):
    import comfy.utils

    model, clip, vae = loaded[kind]
    assert type(model.model.model_config).__name__ == "SD15"
    assert model.model.model_config.inpaint_model() == (kind == "inpaint")
    stored = comfy.utils.load_torch_file(str(checkpoint_files[kind]))
    # Every weight the loader builds is in the file with its shape: nothing left uninitialised.
    for prefix, module in (
        ("model.diffusion_model.", model.model.diffusion_model),
        ("first_stage_model.", vae.first_stage_model),
    ):
        for key, value in module.state_dict().items():
            assert tuple(stored[prefix + key].shape) == tuple(value.shape), key
    assert type(vae.first_stage_model).__name__ == ("AutoencoderKL" if kind == "kl" else "TAESD")
    cond, pooled = clip.encode_from_tokens(clip.tokenize("a red cat"), return_pooled=True)
    assert cond.shape == (1, 77, 768) and torch.isfinite(cond).all() and torch.isfinite(pooled).all()


def test_test_checkpoint_is_deterministic(tmp_path, checkpoint_files):
    again = write(tmp_path / "again.safetensors", inpaint=False)
    other = write(tmp_path / "other.safetensors", inpaint=False, seed=1)
    assert again.read_bytes() == checkpoint_files["plain"].read_bytes()
    assert other.read_bytes() != again.read_bytes()


def test_crop_and_stitch_nodes_round_trip_and_report_to_the_ui(inpaint):
    image, mask = _photo(), _mask((8, 8, 32, 32), (96, 88, 120, 112))  # windows of 64: native scale
    before = image.clone()
    crops, crop_masks, handle, report = inpaint.InpaintCrop.execute(
        image=image, mask=mask, context_pixels=20, min_context=20, target_width=64, target_height=64
    ).args
    assert crops.shape == (2, 64, 64, 3) and crop_masks.shape == (2, 64, 64)
    assert json.loads(report)[0]["regions"] == 2
    out = inpaint.InpaintStitch.execute(stitch=handle, sampled=crops, grow=2, feather=8)
    stitched, alpha, quality = out.args
    assert torch.equal(image, before), "inputs are never written to"
    assert (stitched - image).abs().max() < 1e-5  # native scale: nothing sampled, nothing changed
    assert json.loads(quality) == out.ui["ib_quality"] and out.ui["ib_quality"][0]["max_abs_outside"] == 0


def test_outpaint_expand_node_sizes_and_offsets(pack_module):
    node = pack_module("outpaint").OutpaintExpand
    image = _photo()
    canvas, mask, x, y, padding = node.execute(image=image, mode="fraction", left_fraction=0.3, overlap=8).args
    assert canvas.shape == (1, 128, 168, 3) and mask.shape == (1, 128, 168) and (x, y) == (40, 0)
    assert json.loads(padding) == {"left": 40, "top": 0, "right": 0, "bottom": 0, "width": 168, "height": 128}
    assert torch.equal(canvas[0, :, 40:], image[0])


def _expanded(sample, loaded, kind="plain", mask=None, **kwargs):
    model, clip, vae = loaded[kind]
    settings = {"seed": 7, "steps": 2, "count": 1, "target_width": 64, "target_height": 64, **kwargs}
    out = sample.Inpaint.execute(
        model=model,
        clip=clip,
        vae=vae,
        image=_photo(),
        mask=_mask((40, 40, 70, 70)) if mask is None else mask,
        positive="a cat",
        **settings,
    )
    nodes = out.expand
    types = sorted(n["class_type"] for n in nodes.values())
    return out, nodes, types


def test_a_plain_checkpoint_expands_to_set_latent_noise_mask(sample, loaded):
    out, nodes, types = _expanded(sample, loaded, "plain")
    assert "SetLatentNoiseMask" in types and "InpaintModelConditioning" not in types
    assert "DifferentialDiffusion" not in types  # a binary mask
    assert types.count("KSampler") == 1 and types.count("CLIPTextEncode") == 2
    stitch_id = next(k for k, n in nodes.items() if n["class_type"] == "IB_InpaintStitch")
    assert out.args[0] == [stitch_id, 0] and out.args[3] == [stitch_id, 2]
    assert json.loads(out.args[2]) == [7] and out.ui["ib_inpaint"][0]["conditioning"] == "set_latent_noise_mask"


def test_an_inpainting_checkpoint_expands_to_inpaint_model_conditioning(sample, loaded):
    _, _, types = _expanded(sample, loaded, "inpaint")
    assert "InpaintModelConditioning" in types and "SetLatentNoiseMask" not in types


def test_a_soft_mask_turns_on_differential_diffusion_and_n_results_use_n_seeds(sample, loaded):
    soft = _mask((40, 40, 70, 70))
    soft[0, 70:80, 40:70] = 0.5
    out, nodes, types = _expanded(sample, loaded, "plain", mask=soft, count=3, seed=2**64 - 2)
    assert "DifferentialDiffusion" in types
    seeds = sorted(n["inputs"]["seed"] for n in nodes.values() if n["class_type"] == "KSampler")
    assert seeds == [0, 2**64 - 2, 2**64 - 1]  # seed, seed+1, seed+2 within KSampler's 64-bit range
    assert json.loads(out.args[2]) == [2**64 - 2, 2**64 - 1, 0] and types.count("ImageBatch") == 2
    assert len(out.ui["ib_inpaint"]) == 3 and out.ui["ib_inpaint"][0]["differential_diffusion"] is True


def test_conditioning_can_be_overridden_and_a_wrong_override_is_a_clear_error(sample, loaded):
    _, nodes, types = _expanded(sample, loaded, "plain", conditioning="vae_encode_for_inpaint", grow_mask_by=3)
    assert "VAEEncodeForInpaint" in types
    assert next(n for n in nodes.values() if n["class_type"] == "VAEEncodeForInpaint")["inputs"]["grow_mask_by"] == 3
    _, _, types = _expanded(
        sample, loaded, "inpaint", conditioning="set_latent_noise_mask", differential_diffusion="on"
    )
    assert "SetLatentNoiseMask" in types and "DifferentialDiffusion" in types
    with pytest.raises(ValueError, match="needs an inpainting checkpoint"):
        _expanded(sample, loaded, "plain", conditioning="inpaint_model_conditioning")


def test_erase_reports_the_same_quality_fields(pack_module):
    erase = pack_module("erase").Erase
    image, mask = _photo(), _mask((20, 20, 44, 44), (90, 80, 114, 104))
    out = erase.execute(image=image, mask=mask, engine="telea", dilate=4, feather=2, candidates=2)
    reports = out.ui["ib_quality"]
    assert len(reports) == 2 and all(r["max_abs_outside"] == 0 and r["regions"] == 2 for r in reports)
    assert reports[0]["seam_delta_e"] == 0  # erase blends inside the grown mask: the ring outside is untouched
    assert reports[0]["coverage"] == pytest.approx(float(out.args[1][0].mean()), abs=1e-6)


def test_a_noise_multiplier_expands_to_custom_sampling_with_scaled_noise(sample, loaded):
    _, nodes, types = _expanded(sample, loaded, "plain", noise_multiplier=0.5, count=2, seed=3)
    assert "KSampler" not in types and types.count("SamplerCustomAdvanced") == 2
    assert [types.count(t) for t in ("KSamplerSelect", "BasicScheduler", "CFGGuider")] == [1, 1, 1]  # shared
    noises = [n["inputs"] for n in nodes.values() if n["class_type"] == "IB_ScaledNoise"]
    assert sorted((n["noise_seed"], n["multiplier"]) for n in noises) == [(3, 0.5), (4, 0.5)]
    schedule = next(n["inputs"] for n in nodes.values() if n["class_type"] == "BasicScheduler")
    assert (schedule["steps"], schedule["denoise"], schedule["scheduler"]) == (2, 1.0, "normal")
    _, _, types = _expanded(sample, loaded, "plain", noise_multiplier=1.0)
    assert "KSampler" in types and "IB_ScaledNoise" not in types


def test_scaled_noise_is_core_random_noise_times_the_multiplier(pack_module, comfy_nodes):
    from comfy_extras.nodes_custom_sampler import RandomNoise

    node = pack_module("noise").ScaledNoise
    latent = {"samples": torch.zeros(2, 4, 8, 8), "batch_index": [3, 5]}
    core = RandomNoise.execute(noise_seed=11).args[0].generate_noise(latent)
    (scaled,) = node.execute(noise_seed=11, multiplier=0.25).args
    assert scaled.seed == 11 and torch.equal(scaled.generate_noise(latent), core * 0.25)
    with pytest.raises(ValueError, match="multiplier must be within 0..2"):
        node.execute(noise_seed=0, multiplier=2.5)


def test_custom_sampling_with_multiplier_1_is_ksampler_and_other_multipliers_change_it(
    pack_module, loaded, comfy_nodes
):
    # The path IB_Inpaint takes for a multiplier other than 1 samples exactly what KSampler does, noise aside.
    from comfy_extras.nodes_custom_sampler import BasicScheduler, CFGGuider, KSamplerSelect, SamplerCustomAdvanced

    model, clip, vae = loaded["plain"]
    positive = comfy_nodes.CLIPTextEncode().encode(clip, "a cat")[0]
    negative = comfy_nodes.CLIPTextEncode().encode(clip, "")[0]
    latent = {"samples": vae.encode(_photo()[:, :64, :64, :3])}
    (reference,) = comfy_nodes.KSampler().sample(model, 9, 3, 5.0, "euler", "karras", positive, negative, latent, 0.6)

    def custom(multiplier: float) -> torch.Tensor:
        (noise,) = pack_module("noise").ScaledNoise.execute(noise_seed=9, multiplier=multiplier).args
        sigmas = BasicScheduler.execute(model, "karras", 3, 0.6).args[0]
        guider = CFGGuider.execute(model, positive, negative, 5.0).args[0]
        sampler = KSamplerSelect.execute("euler").args[0]
        return SamplerCustomAdvanced.execute(noise, guider, sampler, sigmas, latent).args[0]["samples"]

    assert torch.equal(custom(1.0), reference["samples"])
    assert not torch.allclose(custom(0.5), reference["samples"], atol=1e-3)
