"""MI-GAN's own module: the official key layout, strict loading, and the filtering it re-expresses."""

import json

import pytest
import torch
from torch.nn import functional as F  # noqa: N812

from inpaint_bridge.nodes.common.migan_arch import MIGAN, Downsample, Upsample, load_migan, migan_resolution
from support.paths import REPO_ROOT

# Key names, shapes and order of the official 256 px inference Generator (read from its code, see "source").
OFFICIAL_256 = json.loads((REPO_ROOT / "tests" / "fixtures" / "migan_256_official_keys.json").read_text())["keys"]


def test_state_dict_layout_is_the_official_one():
    ours = [[k, list(v.shape)] for k, v in MIGAN(256).state_dict().items()]
    assert ours == OFFICIAL_256
    official = dict((k, tuple(s)) for k, s in OFFICIAL_256)
    # a few by hand, so a wrong fixture would not pass unnoticed
    assert official["encoder.b256.fromrgb.weight"] == (128, 4, 1, 1)
    assert official["encoder.b128.conv2.downsample.filter.weight"] == (256, 1, 4, 4)
    assert official["encoder.b4.conv2.conv2.weight"] == (512, 512, 1, 1)
    assert official["synthesis.b256.conv1.upsample.filter_const"] == (1, 1, 256, 256)
    assert official["synthesis.b256.conv2.noise_const"] == (256, 256)
    assert official["synthesis.b8.conv1.noise_strength"] == ()
    assert official["synthesis.b128.torgb.weight"] == (3, 256, 1, 1)


def test_an_official_layout_dict_loads_strictly_and_runs():
    torch.manual_seed(0)
    state = {k: torch.randn(s) * 0.05 for k, s in OFFICIAL_256}
    assert migan_resolution(state) == 256
    model = load_migan(state)
    assert torch.equal(model.state_dict()["synthesis.b64.conv2.noise_const"], state["synthesis.b64.conv2.noise_const"])
    with torch.no_grad():
        out = model(torch.rand(1, 4, 256, 256) - 0.5)
    assert out.shape == (1, 3, 256, 256) and torch.isfinite(out).all()

    with pytest.raises(RuntimeError, match="Missing key"):
        load_migan({k: v for k, v in state.items() if k != "encoder.b4.conv1.conv1.bias"})
    with pytest.raises(RuntimeError, match="Unexpected key"):
        load_migan({**state, "encoder.extra.weight": torch.zeros(1)})


def test_resolution_comes_from_the_keys():
    big = MIGAN(512).state_dict()
    assert migan_resolution(big) == 512 and len(big) == 177  # the official 512 model: one block more each side
    assert big["encoder.b512.fromrgb.weight"].shape == (64, 4, 1, 1)
    assert migan_resolution({"model.0.weight": torch.zeros(1)}) is None
    with pytest.raises(ValueError, match="not an MI-GAN state dict"):
        load_migan({"generator.model.1.ffc.weight": torch.zeros(1)})


def test_filters_equal_the_zero_stuff_and_strided_formulations():
    torch.manual_seed(1)
    x = torch.randn(2, 5, 8, 8)
    up, down = Upsample(5, resolution=16), Downsample(5)
    taps = torch.tensor([1.0, 3.0, 3.0, 1.0])
    binomial = (torch.outer(taps, taps) / 64).expand(5, 1, 4, 4)
    assert torch.equal(up.filter.weight, 4 * binomial) and torch.equal(down.filter.weight, binomial)
    # The kernels come from the file: an asymmetric one must be applied the official way round too.
    up.filter.weight = torch.rand(5, 1, 4, 4)
    down.filter.weight = torch.rand(5, 1, 4, 4)
    # up: nearest ×2, keep the top-left of every 2×2 (filter_const), pad 2 before / 1 after, 4×4 conv
    stuffed = F.interpolate(x, scale_factor=2, mode="nearest") * up.filter_const
    torch.testing.assert_close(up(x), F.conv2d(F.pad(stuffed, (2, 1, 2, 1)), up.filter.weight, groups=5))
    # down: 4×4 conv, stride 2, padding 1
    torch.testing.assert_close(down(x), F.conv2d(x, down.filter.weight, stride=2, padding=1, groups=5))
    assert up(x).shape == (2, 5, 16, 16) and down(x).shape == (2, 5, 4, 4)


def test_resolution_must_be_a_power_of_two():
    with pytest.raises(ValueError, match="power of two"):
        MIGAN(384)
