"""Learned erase models: random-weight LaMa, MAT and MI-GAN in every supported file format, through the real loaders."""

import numpy as np
import pytest
import torch
from skimage import data

from support.model_folders import extra_model_folder
from support.placement import assert_placed_by_comfyui


@pytest.fixture(scope="module")
def lama_files(tmp_path_factory, comfy_nodes):
    from support.tiny_models import build_lama

    folder = tmp_path_factory.mktemp("inpaint")
    with extra_model_folder("inpaint", folder):
        yield build_lama(folder)


def _erase_box(erase, handle, image, box, dilate, feather):
    """Erase ``box`` (y0, y1, x0, x1) of ``image`` with the model; assert every pixel outside the grown mask kept.

    Returns (result, grown mask, mask) of the first image for the caller's checks inside the hole.
    """
    mask = torch.zeros(image.shape[:3])
    y0, y1, x0, x1 = box
    mask[0, y0:y1, x0:x1] = 1
    out, grown = erase.Erase.execute(
        image=image, mask=mask, engine="model", erase_model=handle, dilate=dilate, feather=feather, strategy="original"
    ).args
    outside = grown[0] == 0
    assert out.shape == image.shape and torch.equal(out[0][outside], image[0][outside])
    return out[0], grown[0], mask[0]


def _erase_keeps_the_outside(erase, handle, min_change: float) -> None:
    """A crop that is not a multiple of 8 (nor of any model size): the outside kept, the masked box changed."""
    image = torch.from_numpy(data.chelsea()[:100, :150].copy()).float().div(255)[None]
    out, _, mask = _erase_box(erase, handle, image, (30, 60, 50, 90), dilate=4, feather=2)
    assert (out[mask > 0] - image[0][mask > 0]).abs().mean() > min_change


@pytest.fixture(scope="module")
def erase(pack_module):
    return pack_module("erase")


@pytest.mark.parametrize("fmt", ["safetensors", "pth", "torchscript"])
def test_each_format_loads_and_erases_with_the_unmasked_area_kept(erase, lama_files, fmt):
    (handle,) = erase.EraseModelLoader.execute(model_name=lama_files[fmt].name).args
    model = handle.load().model
    assert model.kind == ("torchscript" if fmt == "torchscript" else "LaMa")
    _erase_keeps_the_outside(erase, handle, min_change=0.001)


def test_state_dict_and_torchscript_give_the_same_fill(erase, lama_files):
    image = (np.random.default_rng(0).random((64, 72, 3)) * 255).astype(np.uint8)
    hole = np.zeros((64, 72), bool)
    hole[20:40, 20:50] = True
    sd = erase.EraseModelLoader.execute(model_name=lama_files["safetensors"].name).args[0].load().model
    ts = erase.EraseModelLoader.execute(model_name=lama_files["torchscript"].name).args[0].load().model
    a, b = sd(image, hole), ts(image, hole)
    assert np.abs(a.astype(int) - b.astype(int)).max() <= 2  # same weights, both paths padded to 8


def test_missing_wrong_and_absent_models_are_clear(erase, lama_files, tmp_path):
    with pytest.raises(ValueError, match=r"models/inpaint/big-lama.pt"):
        erase.EraseModelLoader.execute(model_name="big-lama.pt")
    with pytest.raises(ValueError, match="engine 'model' needs an erase_model"):
        erase.Erase.execute(image=torch.zeros(1, 8, 8, 3), mask=torch.ones(1, 8, 8), engine="model")
    bogus = lama_files["pth"].with_name("not_a_model.pth")
    torch.save({"weight": torch.zeros(3)}, bogus)
    with pytest.raises(ValueError, match="could not load erase model .*not_a_model.pth"):
        erase.EraseModelLoader.execute(model_name="not_a_model.pth").args[0].load()


def test_mat_fixed_size_model_is_padded_seeded_and_keeps_the_unmasked_area(erase, lama_files):
    from support.tiny_models import build_mat

    path = build_mat(lama_files["pth"].with_name("mat_random.safetensors"))
    (handle,) = erase.EraseModelLoader.execute(model_name=path.name).args
    model = handle.load().model
    assert model.kind == "MAT"
    image = torch.from_numpy(data.coffee()[:90, :120].copy()).float().div(255)[None]  # far from 512²
    mask = torch.zeros(1, 90, 120)
    mask[0, 30:60, 40:80] = 1
    rng_state = torch.random.get_rng_state()
    out, grown = erase.Erase.execute(
        image=image,
        mask=mask,
        engine="model",
        erase_model=handle,
        dilate=2,
        feather=1,
        strategy="original",
        candidates=2,
    ).args
    outside = grown[0] == 0
    assert out.shape == (2, *image.shape[1:])
    assert all(torch.equal(candidate[outside], image[0][outside]) for candidate in out)
    # MAT is stochastic: both candidates are MAT fills with their own seeds, and ComfyUI's global RNG is untouched.
    assert not torch.equal(out[0], out[1])
    assert torch.equal(torch.random.get_rng_state(), rng_state)


@pytest.fixture(scope="module")
def migan_files(tmp_path_factory, comfy_nodes):
    from support.tiny_models import build_migan

    folder = tmp_path_factory.mktemp("inpaint_migan")
    with extra_model_folder("inpaint", folder):
        yield build_migan(folder)


@pytest.mark.parametrize("fmt", ["pt", "safetensors", "torchscript"])
def test_migan_each_format_loads_and_erases_with_the_unmasked_area_kept(erase, migan_files, fmt):
    (handle,) = erase.EraseModelLoader.execute(model_name=migan_files[fmt].name).args
    model = handle.load().model
    assert (model.kind, model.size) == ("MI-GAN", 256)  # TorchScript: the size read from its buffers
    _erase_keeps_the_outside(erase, handle, min_change=0.01)  # 150×100 padded up to 256²


def test_migan_state_dict_and_torchscript_give_the_same_fill(erase, migan_files):
    image = (np.random.default_rng(0).random((90, 70, 3)) * 255).astype(np.uint8)
    hole = np.zeros((90, 70), bool)
    hole[20:50, 10:40] = True
    fills = [
        erase.EraseModelLoader.execute(model_name=migan_files[fmt].name).args[0].load().model(image, hole)
        for fmt in ("safetensors", "torchscript")
    ]
    assert np.abs(fills[0].astype(int) - fills[1].astype(int)).max() <= 1
    assert np.array_equal(fills[0][~hole], image[~hole])  # the model's pixels only inside the hole


def test_migan_crop_larger_than_the_model_is_resized_and_comes_back_full_size(erase, migan_files):
    # 300×420 cannot enter a 256² model as is (its noise/filter constants are 256²): scaled down, then up.
    (handle,) = erase.EraseModelLoader.execute(model_name=migan_files["pt"].name).args
    image = torch.from_numpy(data.astronaut()[:300, :420].copy()).float().div(255)[None]
    out, grown, _ = _erase_box(erase, handle, image, (100, 190, 150, 260), dilate=3, feather=0)
    hole = grown > 0
    assert (out[hole] - image[0][hole]).abs().mean() > 0.01


class RedFill(torch.nn.Module):
    """MI-GAN's I/O contract with a known answer: the input picture, pure red wherever the mask channel says hole."""

    def __init__(self):
        super().__init__()
        self.register_buffer("red", torch.tensor([1.0, -1.0, -1.0]).view(1, 3, 1, 1))

    def forward(self, x):
        hole = (x[:, :1] < 0).float()  # channel 0 is 0.5 - mask
        return x[:, 1:] * (1 - hole) + self.red * hole


@pytest.mark.parametrize("size", [(90, 120), (300, 420), (500, 260)])
def test_migan_pre_and_post_processing_put_the_fill_exactly_in_the_hole(erase, migan_files, size):
    from inpaint_bridge.nodes.common.morphology import binary_grow

    path = migan_files["torchscript"].with_name("red_fill_256.pt")
    torch.jit.trace(RedFill(), torch.zeros(1, 4, 256, 256)).save(str(path))
    model = erase.EraseModelLoader.execute(model_name=path.name).args[0].load().model
    h, w = size
    image = data.astronaut()[:h, :w].copy()
    hole = np.zeros((h, w), bool)
    hole[h // 3 : h // 3 + h // 4, w // 2 : w // 2 + w // 5] = True
    hole[h - 20 :, :30] = True  # touching the bottom-left corner: the padding side
    out = model(image, hole)
    assert out.shape == image.shape and np.array_equal(out[~hole], image[~hole])
    # Scaled down (area) and back up (cubic): only a rim of a few pixels may blend with the surroundings.
    core = ~binary_grow((~hole).astype(np.uint8), 4, "disc").astype(bool)
    assert np.abs(out[core].astype(int) - [255, 0, 0]).max() <= 3
    assert (out[hole][:, 0] > 200).mean() > 0.8


def test_migan_torchscript_without_buffers_takes_its_size_from_the_file_name(erase, migan_files):
    frozen = torch.jit.freeze(torch.jit.load(str(migan_files["torchscript"])).eval())
    assert not frozen.state_dict()  # constants folded in: nothing to read the size from
    path = migan_files["torchscript"].with_name("migan_256_frozen.pt")
    frozen.save(str(path))
    (handle,) = erase.EraseModelLoader.execute(model_name=path.name).args
    model = handle.load().model
    assert (model.kind, model.size) == ("MI-GAN", 256)
    image = (np.random.default_rng(1).random((40, 60, 3)) * 255).astype(np.uint8)
    hole = np.zeros((40, 60), bool)
    hole[10:30, 20:40] = True
    assert model(image, hole).shape == (40, 60, 3)
    # No tensors of its own to place (its constants stay on the CPU, where it runs): the node still runs it.
    assert handle.load().memory_bytes() == 0 and model.device.type == "cpu"
    _erase_keeps_the_outside(erase, handle, min_change=0.01)


def test_models_are_cached_on_the_cpu_and_placed_by_comfyuis_memory_manager(erase, lama_files):
    from safetensors.torch import load_file

    (handle,) = erase.EraseModelLoader.execute(model_name=lama_files["safetensors"].name).args
    held = handle.load()
    assert handle.load() is held  # one cached copy, whatever device runs it
    # ComfyUI frees room on the GPU based on this figure: it must be the model's real size.
    file_bytes = sum(t.numel() * t.element_size() for t in load_file(str(lama_files["safetensors"])).values())
    assert held.memory_bytes() == file_bytes > 10_000_000
    assert_placed_by_comfyui(held, lambda: _erase_keeps_the_outside(erase, handle, min_change=0.001))


def test_the_model_listing_tells_each_real_layout_apart_without_loading_it(lama_files, migan_files):
    """The cheap check behind GET /inpaint-bridge/models on the real architectures' files, every format."""
    from inpaint_bridge.nodes.common.model_kinds import inpaint_folder_kind
    from inpaint_bridge.nodes.common.weight_headers import is_torchscript, pickle_strings, safetensors_shapes

    def kind(path):
        names = safetensors_shapes(str(path)) if path.suffix == ".safetensors" else pickle_strings(str(path))
        return inpaint_folder_kind(names, path.name)

    assert {fmt: kind(p) for fmt, p in lama_files.items()} == dict.fromkeys(lama_files, "lama")
    assert {fmt: kind(p) for fmt, p in migan_files.items()} == dict.fromkeys(migan_files, "migan")
    assert is_torchscript(str(lama_files["torchscript"])) and not is_torchscript(str(lama_files["pth"]))


def _two_region_image():
    image = torch.from_numpy(data.astronaut()[:160, :140].copy()).float().div(255)[None]
    mask = torch.zeros(image.shape[:3])
    mask[0, 20:40, 30:60] = 1
    mask[0, 100:130, 80:120] = 1
    return image, mask


def test_auto_runs_the_installed_lama_and_says_so(erase, lama_files):
    image, mask = _two_region_image()
    auto = erase.Erase.execute(image=image, mask=mask, candidates=2, dilate=4, feather=2)
    chosen = erase.installed_lama()
    assert chosen in {p.name for p in lama_files.values()}
    (handle,) = erase.EraseModelLoader.execute(model_name=chosen).args
    explicit = erase.Erase.execute(
        image=image, mask=mask, engine="model", erase_model=handle, candidates=2, dilate=4, feather=2
    )
    assert torch.equal(auto.args[0], explicit.args[0])
    # one entry per output image: the deterministic LaMa, then the other engines for the extra candidates
    assert auto.ui["ib_engine"] == ["lama", "exemplar"]
    outside = auto.args[1][0] == 0
    assert all(torch.equal(c[outside], image[0][outside]) for c in auto.args[0])


def test_auto_prefers_the_catalog_lama_file_and_a_connected_model_over_both(erase, lama_files, migan_files, tmp_path):
    folder = tmp_path / "inpaint_catalog"
    folder.mkdir()
    (folder / "big-lama.pt").symlink_to(lama_files["torchscript"])  # IOPaint's file name, listed in the catalog
    with extra_model_folder("inpaint", folder):
        assert erase.installed_lama() == "big-lama.pt"
        image, mask = _two_region_image()
        (migan,) = erase.EraseModelLoader.execute(model_name=migan_files["pt"].name).args
        connected = erase.Erase.execute(image=image, mask=mask, erase_model=migan, dilate=4)
        assert connected.ui["ib_engine"] == ["migan"]


def test_auto_never_picks_another_architecture_for_lama(erase, migan_files):
    import folder_paths

    from inpaint_bridge.nodes.common.erase_auto import lama_file

    migan_only = [p.name for p in migan_files.values()]
    assert lama_file(migan_only, lambda name: folder_paths.get_full_path("inpaint", name)) is None


def test_lama_runs_each_crop_window_at_native_resolution(erase, lama_files):
    """IOPaint's HD crop, not a 256² resize (Acly #63): the network sees each region's window, padded to 8."""
    from inpaint_bridge.nodes.common.erase_strategy import region_windows

    (handle,) = erase.EraseModelLoader.execute(model_name=lama_files["safetensors"].name).args
    network = handle.load().model.descriptor.model
    seen = []
    hook = network.register_forward_hook(lambda module, args, out: seen.append(tuple(args[0].shape[-2:])))
    try:
        image = torch.from_numpy(np.tile(data.astronaut(), (2, 2, 1))[:700, :820].copy()).float().div(255)[None]
        mask = torch.zeros(image.shape[:3])
        mask[0, 100:130, 120:170] = 1
        mask[0, 600:640, 700:770] = 1
        out, grown = erase.Erase.execute(
            image=image, mask=mask, engine="model", erase_model=handle, crop_trigger_size=800, crop_margin=32
        ).args
    finally:
        hook.remove()
    windows = region_windows(grown[0].numpy() > 0, 32)
    assert len(windows) == 2
    assert seen == [(-(-(b.y1 - b.y0) // 8) * 8, -(-(b.x1 - b.x0) // 8) * 8) for b in windows]
    assert torch.equal(out[0][grown[0] == 0], image[0][grown[0] == 0])
