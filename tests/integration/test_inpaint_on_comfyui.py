"""Inpaint and outpaint graphs in the real ComfyUI with the reduced SD1.5 checkpoints (random weights).

The sampled pixels are noise; what is tested is geometry: unmasked pixels exact, the
blend band bounded, crops per region, seeds, outpaint sizes and overlap.
"""

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage
from skimage import data

from support.graph import GraphBuilder
from support.test_checkpoints import INPAINTING, PLAIN

GROW, FEATHER = 2, 6
BAND = GROW + FEATHER + 2  # + the feather's distance estimate (chamfer, within 2%) and rounding


def _photo() -> np.ndarray:
    return np.ascontiguousarray(data.coffee()[::4, ::4][:96, :144])  # 144×96


def _mask_picture(*boxes, shape=(96, 144)) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    for x0, y0, x1, y1 in boxes:
        mask[y0:y1, x0:x1] = 255
    return mask


TWO_REGIONS = ((10, 12, 34, 36), (104, 56, 128, 80))


def _settings(**overrides) -> dict:
    """IB_Inpaint's required sampling inputs and small crops (its other settings keep their defaults)."""
    settings = {
        "positive": "a cup of tea",
        "seed": 5,
        "steps": 3,
        "cfg": 5.0,
        "sampler_name": "euler",
        "scheduler": "normal",
        "denoise": 1.0,
        "context_pixels": 16,
        "min_context": 12,
        "target_width": 64,
        "target_height": 64,
        "grow": GROW,
        "feather": FEATHER,
    }
    return settings | overrides


def _inpaint_node(g, checkpoint, image, mask, **overrides):
    ckpt = g.node("CheckpointLoaderSimple", ckpt_name=checkpoint)
    return g.node(
        "IB_Inpaint",
        model=ckpt.out(0),
        clip=ckpt.out(1),
        vae=ckpt.out(2),
        image=image,
        mask=mask,
        **_settings(**overrides),
    )


def _inpaint(comfy, photo, mask, checkpoint, tag, **overrides):
    """LoadImage + LoadImageMask → CheckpointLoaderSimple → IB_Inpaint → SaveImage; (results, outputs)."""
    g = GraphBuilder()
    image = g.node("LoadImage", image=comfy.upload_image(Image.fromarray(photo), f"inpaint_{tag}.png"))
    picture = comfy.upload_image(Image.fromarray(mask), f"mask_{tag}.png")
    mask_node = g.node("LoadImageMask", image=picture, channel="red")
    node = _inpaint_node(g, checkpoint, image.out(0), mask_node.out(0), **overrides)
    save = g.node("SaveImage", images=node.out(0), filename_prefix=f"ib_inpaint_{tag}")
    outputs = comfy.run(g.build())
    return [comfy.view(item) for item in outputs[save.id]["images"]], outputs


def _reported(outputs: dict, key: str) -> list:
    """Every entry a node of the run (expanded ones included) reported under ``key``."""
    return [entry for out in outputs.values() for entry in out.get(key, [])]


@pytest.mark.parametrize(
    "checkpoint,conditioning,expected",
    [
        (INPAINTING, "auto", "inpaint_model_conditioning"),
        (PLAIN, "auto", "set_latent_noise_mask"),
        (PLAIN, "vae_encode_for_inpaint", "vae_encode_for_inpaint"),
    ],
)
def test_inpaint_keeps_every_pixel_outside_the_blend_band(comfy, test_checkpoints, checkpoint, conditioning, expected):
    photo, mask = _photo(), _mask_picture(*TWO_REGIONS)
    results, outputs = _inpaint(comfy, photo, mask, checkpoint, expected, conditioning=conditioning, count=2)
    assert len(results) == 2
    far = ndimage.distance_transform_edt(mask == 0) > BAND
    for result in results:
        assert result.shape == photo.shape
        assert np.array_equal(result[far], photo[far]), "a pixel outside the blend band changed"
        assert np.abs(result[mask > 0].astype(int) - photo[mask > 0]).mean() > 5, "the masked area was not sampled"
    assert not np.array_equal(results[0], results[1]), "two results, two seeds"
    (crop,) = _reported(outputs, "ib_crop")
    assert crop["regions"] == 2 and len(crop["crops"]) == 2, "two far-apart regions, two crops"
    quality = _reported(outputs, "ib_quality")
    assert [q["max_abs_outside"] for q in quality] == [0.0, 0.0] and quality[0]["regions"] == 2
    assert _reported(outputs, "ib_seeds") == [5, 6]
    assert _reported(outputs, "ib_inpaint")[0]["conditioning"] == expected


def test_same_seed_reproduces_and_result_j_uses_seed_plus_j(comfy, test_checkpoints):
    photo, mask = _photo(), _mask_picture((50, 30, 90, 70))
    (first, second), _ = _inpaint(comfy, photo, mask, PLAIN, "seeds_pair", seed=11, count=2)
    (alone,), _ = _inpaint(comfy, photo, mask, PLAIN, "seeds_12", seed=12)
    (again,), _ = _inpaint(comfy, photo, mask, PLAIN, "seeds_11", seed=11)
    assert np.array_equal(again, first)
    assert np.array_equal(alone, second)
    assert not np.array_equal(first, second)


def test_crop_then_stitch_without_sampling_is_the_identity(comfy):
    photo = _photo()
    g = GraphBuilder()
    image = g.node("LoadImage", image=comfy.upload_image(Image.fromarray(photo), "identity.png"))
    mask = g.node(
        "LoadImageMask",
        image=comfy.upload_image(Image.fromarray(_mask_picture(*TWO_REGIONS)), "identity_mask.png"),
        channel="red",
    )
    saves = []
    for target in (56, 64):  # 24 px regions + 16 a side: 56 is native scale, 64 resamples
        crop = g.node(
            "IB_InpaintCrop", image=image.out(0), mask=mask.out(0), context_pixels=16, min_context=16,
            target_width=target, target_height=target,
        )  # fmt: skip
        stitch = g.node("IB_InpaintStitch", stitch=crop.out(2), sampled=crop.out(0), grow=GROW, feather=FEATHER)
        saves.append(g.node("SaveImage", images=stitch.out(0), filename_prefix=f"ib_identity_{target}"))
    outputs = comfy.run(g.build())
    native, resampled = (comfy.view(outputs[s.id]["images"][0])[..., :3] for s in saves)
    assert np.array_equal(native, photo)
    far = ndimage.distance_transform_edt(_mask_picture(*TWO_REGIONS) == 0) > BAND
    assert np.array_equal(resampled[far], photo[far])
    assert np.abs(resampled.astype(int) - photo).max() <= 40  # resampled twice (56 -> 64 -> 56)


def test_outpaint_graph_sizes_and_overlap_are_exact(comfy, test_checkpoints):
    photo = _photo()
    overlap = 8
    g = GraphBuilder()
    image = g.node("LoadImage", image=comfy.upload_image(Image.fromarray(photo), "outpaint.png"))
    expand = g.node("IB_OutpaintExpand", image=image.out(0), mode="pixels", left=20, right=36, overlap=overlap)
    node = _inpaint_node(
        g, INPAINTING, expand.out(0), expand.out(1), grow=0, feather=0, context_pixels=24, min_context=0
    )
    save = g.node("SaveImage", images=node.out(0), filename_prefix="ib_outpaint")
    outputs = comfy.run(g.build())
    result = comfy.view(outputs[save.id]["images"][0])
    assert result.shape == (96, 200, 3)  # 144 + 20 + 36 = 200, a multiple of 8; the height is not padded
    assert _reported(outputs, "ib_outpaint")[0] == {
        "left": 20,
        "top": 0,
        "right": 36,
        "bottom": 0,
        "width": 200,
        "height": 96,
    }
    original_area = result[:, 20 : 20 + 144]
    inner = original_area[:, overlap:-overlap]
    assert np.array_equal(inner, photo[:, overlap:-overlap]), "the original beyond the overlap band changed"
    band = original_area[:, :overlap]
    assert not np.array_equal(band, photo[:, :overlap]), "the overlap band was blended"
    assert np.abs(result[:, :20].astype(int) - photo[:, :1]).mean() > 5, "the new area was sampled, not kept"
    assert _reported(outputs, "ib_inpaint")[0]["differential_diffusion"] is True  # the feathered band is soft
    (quality,) = _reported(outputs, "ib_quality")
    assert quality["max_abs_outside"] == 0 and quality["regions"] == 2  # a strip on each side
