"""Fooocus's inpaint engine in-process: head + patch files of the real layout (random values) applied to the
smallest SDXL-shaped UNet ComfyUI detects (Segmind Vega's layout, loaded by itself), sampled by core KSampler
with conditioning made directly (no SDXL text encoder exists here: IB_Inpaint's wiring of the patch is
checked on its expansion)."""

import pytest
import torch
import torch.nn.functional as F  # noqa: N812

from support.model_folders import extra_model_folder
from support.test_checkpoints import _script
from support.tiny_sdxl import unet_state_dict, write_fooocus_files

H = W = 64  # pixels: an 8×8 latent


@pytest.fixture(scope="module")
def fooocus(pack_module):
    return pack_module("fooocus_inpaint")


@pytest.fixture(scope="module")
def unet_weights():
    return unet_state_dict(seed=3)


@pytest.fixture(scope="module")
def sdxl(comfy_nodes, unet_weights):
    import comfy.sd

    return comfy.sd.load_diffusion_model_state_dict(dict(unet_weights))


@pytest.fixture(scope="module")
def vae(comfy_nodes):
    import comfy.sd

    script = _script()
    generator = torch.Generator().manual_seed(5)
    state = {k: script._value(k, shape, generator) for k, shape in script.taesd_shapes().items()}
    return comfy.sd.VAE(sd=state)


@pytest.fixture(scope="module")
def files(tmp_path_factory, unet_weights, comfy_nodes):
    folder = tmp_path_factory.mktemp("inpaint-models")
    head, patch = write_fooocus_files(folder, unet_weights)
    (folder / "broken_head.pth").write_bytes(b"")
    torch.save({"head": torch.zeros(320, 4, 3, 3)}, folder / "wrong_head.pth")
    torch.save({"diffusion_model.x.weight": torch.zeros(3)}, folder / "wrong.fooocus.patch")
    elsewhere = (torch.zeros(3, dtype=torch.uint8), torch.tensor(0.0), torch.tensor(1.0))
    torch.save({"diffusion_model.nowhere.weight": elsewhere}, folder / "other_model.fooocus.patch")
    with extra_model_folder("inpaint", folder):
        yield {"head": head, "patch": patch, "folder": folder}


def pixels_and_mask():
    image = torch.rand(1, H, W, 3, generator=torch.Generator().manual_seed(0))
    mask = torch.zeros(1, H, W)
    mask[0, 20:44, 12:30] = 1.0
    return image, mask


def test_the_tiny_unet_is_detected_as_an_sdxl_model(sdxl, fooocus):
    import comfy.model_base

    assert isinstance(sdxl.model, comfy.model_base.SDXL) and fooocus.is_sdxl(sdxl)
    assert type(sdxl.model.model_config).__name__ == "Segmind_Vega"


def test_loader_lists_the_files_and_refuses_wrong_ones(fooocus, files):
    spec = fooocus.FooocusInpaintLoader.define_schema()
    options = {i.id: i.options for i in spec.inputs}
    assert "fooocus_inpaint_head.pth" in options["head"]
    assert {"inpaint_v26.fooocus.patch", "wrong.fooocus.patch"} <= set(options["patch"])
    assert not any(name.endswith(".patch") for name in options["head"])  # patches are not listed as heads
    (handle,) = fooocus.FooocusInpaintLoader.execute("fooocus_inpaint_head.pth", "inpaint_v26.fooocus.patch").args
    assert handle.patch_path == str(files["patch"])
    with pytest.raises(ValueError, match="wrong_head.pth is not a Fooocus inpaint head"):
        fooocus.FooocusInpaintLoader.execute("wrong_head.pth", "inpaint_v26.fooocus.patch")
    with pytest.raises(ValueError, match="wrong.fooocus.patch is not a Fooocus inpaint patch"):
        fooocus.FooocusInpaintLoader.execute("fooocus_inpaint_head.pth", "wrong.fooocus.patch")
    with pytest.raises(ValueError, match="missing.fooocus.patch"):
        fooocus.FooocusInpaintLoader.execute("fooocus_inpaint_head.pth", "missing.fooocus.patch")


@pytest.fixture(scope="module")
def applied(fooocus, files, sdxl, vae):
    (handle,) = fooocus.FooocusInpaintLoader.execute("fooocus_inpaint_head.pth", "inpaint_v26.fooocus.patch").args
    image, mask = pixels_and_mask()
    out = fooocus.FooocusInpaintApply.execute(model=sdxl, fooocus_inpaint=handle, vae=vae, pixels=image, mask=mask)
    return out


def test_every_weight_gets_its_dequantised_delta_through_comfyuis_patching(applied, sdxl, files, unet_weights):
    import comfy.lora

    patched = applied.args[0]
    assert patched is not sdxl and not sdxl.patches  # the input model is left as it was
    assert applied.ui["ib_fooocus_inpaint"] == [
        {"layers_patched": len(unet_weights), "layers_in_patch": len(unet_weights)}
    ]
    patch = torch.load(files["patch"], weights_only=True)
    for key in ("input_blocks.0.0.weight", "input_blocks.8.1.transformer_blocks.1.attn2.to_k.weight", "out.2.bias"):
        full = f"diffusion_model.{key}"
        weight = sdxl.model.state_dict()[full].detach().float().clone()
        got = comfy.lora.calculate_weight(patched.patches[full], weight.clone(), full)
        q, low, high = patch[full]
        expected = weight + (q.float() / 255.0) * (high - low) + low  # Fooocus's decoding, at strength 1
        torch.testing.assert_close(got, expected)
        assert not torch.equal(got, weight)


def test_the_head_sees_the_mask_and_the_grey_filled_latent_after_the_first_input_block(applied, sdxl, vae, files):
    image, mask = pixels_and_mask()
    grey = image * (1 - mask[..., None]) + 0.5 * mask[..., None]
    latent = sdxl.model.process_latent_in(vae.encode(grey).float())
    cells = F.max_pool2d(F.interpolate(mask[:, None], size=(H, W), mode="bilinear").round(), 8).round()
    assert cells.shape == (1, 1, 8, 8) and 0 < cells.sum() < 64
    weight = torch.load(files["head"], weights_only=True)["head"]
    expected = F.conv2d(F.pad(torch.cat([cells, latent], 1), (1, 1, 1, 1), "replicate"), weight)

    (block_patch,) = applied.args[0].model_options["transformer_options"]["patches"]["input_block_patch"]
    h = torch.randn(2, 320, 8, 8)  # cond + uncond, as the sampler batches them
    torch.testing.assert_close(block_patch(h, {"block": ("input", 0)}), h + expected.repeat(2, 1, 1, 1))
    assert torch.equal(block_patch(h, {"block": ("input", 1)}), h)
    with pytest.raises(ValueError, match="does not fit the UNet"):
        block_patch(torch.randn(1, 320, 16, 16), {"block": ("input", 0)})


def test_sampling_the_patched_model_keeps_the_unmasked_latent_and_changes_the_result(applied, sdxl, comfy_nodes):
    import nodes as comfy_nodes_module

    image, mask = pixels_and_mask()
    latent = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(1))
    generator = torch.Generator().manual_seed(2)
    cond = [
        [torch.randn(1, 77, 2048, generator=generator), {"pooled_output": torch.randn(1, 1280, generator=generator)}]
    ]
    uncond = [[torch.zeros(1, 77, 2048), {"pooled_output": torch.zeros(1, 1280)}]]
    (noised,) = comfy_nodes_module.SetLatentNoiseMask().set_mask({"samples": latent}, mask)

    def sample(model):
        (out,) = comfy_nodes_module.common_ksampler(
            model, 11, 2, 5.0, "euler", "normal", cond, uncond, noised, denoise=1.0
        )
        return out["samples"]

    patched, plain = sample(applied.args[0]), sample(sdxl)
    assert torch.isfinite(patched).all()
    outside = F.interpolate(mask[:, None], size=(8, 8), mode="bilinear") == 0
    outside = outside.expand_as(latent)
    # the noise mask keeps the unmasked latent (to the float rounding of the latent scale's round trip)
    torch.testing.assert_close(patched[outside], latent[outside], rtol=0, atol=1e-5)
    assert not torch.allclose(patched[~outside], plain[~outside])  # head and patch took part
    assert torch.equal(sample(sdxl), plain)  # sampling the patched clone did not change the plain model
    weights_only = applied.args[0].clone()
    del weights_only.model_options["transformer_options"]["patches"]["input_block_patch"]
    assert not torch.allclose(sample(weights_only)[~outside], plain[~outside])  # the deltas alone take part too


def test_a_model_that_is_not_sdxl_and_a_patch_for_another_model_are_clear_errors(fooocus, files, vae, comfy_nodes):
    import comfy.sd

    script = _script()
    generator = torch.Generator().manual_seed(0)
    sd15 = {k: script._value(k, s, generator) for k, s in script.unet_shapes(False).items()}
    model = comfy.sd.load_diffusion_model_state_dict(sd15)
    (handle,) = fooocus.FooocusInpaintLoader.execute("fooocus_inpaint_head.pth", "inpaint_v26.fooocus.patch").args
    image, mask = pixels_and_mask()
    with pytest.raises(ValueError, match="made for SDXL models; this model is BaseModel"):
        fooocus.FooocusInpaintApply.execute(model=model, fooocus_inpaint=handle, vae=vae, pixels=image, mask=mask)


def test_a_patch_matching_no_layer_is_refused(fooocus, files, sdxl, vae):
    (handle,) = fooocus.FooocusInpaintLoader.execute("fooocus_inpaint_head.pth", "other_model.fooocus.patch").args
    image, mask = pixels_and_mask()
    with pytest.raises(ValueError, match="no layer of other_model.fooocus.patch is in this model"):
        fooocus.FooocusInpaintApply.execute(model=sdxl, fooocus_inpaint=handle, vae=vae, pixels=image, mask=mask)


def test_ib_inpaint_applies_the_patch_to_the_crops_it_samples(pack_module, fooocus, files, sdxl, vae):
    sample = pack_module("inpaint_sample")
    (handle,) = fooocus.FooocusInpaintLoader.execute("fooocus_inpaint_head.pth", "inpaint_v26.fooocus.patch").args
    image, mask = pixels_and_mask()
    out = sample.Inpaint.execute(
        model=sdxl, clip=object(), vae=vae, image=image, mask=mask, positive="a ball", seed=1, steps=2,
        target_width=64, target_height=64, fooocus_inpaint=handle,
    )  # fmt: skip
    graph = out.expand
    by_type = {n["class_type"]: (k, n) for k, n in graph.items()}
    crop_id, _ = by_type["IB_InpaintCrop"]
    apply_id, apply = by_type["IB_FooocusInpaintApply"]
    assert apply["inputs"]["pixels"] == [crop_id, 0] and apply["inputs"]["mask"] == [crop_id, 1]
    assert apply["inputs"]["fooocus_inpaint"] is handle and apply["inputs"]["model"] is sdxl
    assert by_type["KSampler"][1]["inputs"]["model"] == [apply_id, 0] and "SetLatentNoiseMask" in by_type
    assert out.ui["ib_inpaint"][0]["fooocus_inpaint"] is True
