"""What a model file is, from its header or pickle strings alone: diffusion families, erase architectures."""

import pytest
import torch
from safetensors.torch import save_file

from inpaint_bridge.nodes.common.model_kinds import diffusion_family, inpaint_folder_kind
from inpaint_bridge.nodes.common.weight_headers import is_torchscript, pickle_strings, safetensors_shapes
from support import header_only as layouts
from support.header_only import write_header_only


@pytest.mark.parametrize(
    "shapes, expected",
    [
        (layouts.SD15_INPAINTING, ("sd15", True)),
        (layouts.SD15, ("sd15", False)),
        (layouts.SDXL_INPAINTING, ("sdxl", True)),
        (layouts.SDXL, ("sdxl", False)),
        (layouts.SD2, ("other", False)),
        (layouts.SDXL_DIFFUSERS_INPAINTING_UNET, ("sdxl", True)),
        (layouts.FLUX_LIKE, ("other", None)),
        ({k.removeprefix("model.diffusion_model."): v for k, v in layouts.SD15_INPAINTING.items()}, ("sd15", True)),
    ],
    ids=["sd15-inpaint", "sd15", "sdxl-inpaint", "sdxl", "sd2", "diffusers-sdxl-inpaint", "flux", "bare-unet"],
)
def test_diffusion_family_from_a_header_only_file(tmp_path, shapes, expected):
    path = write_header_only(tmp_path / "model.safetensors", shapes)
    assert path.stat().st_size < 4096  # no tensor data at all
    assert diffusion_family(safetensors_shapes(str(path))) == expected


def test_a_file_that_is_not_safetensors_is_a_value_error(tmp_path):
    bad = tmp_path / "x.safetensors"
    bad.write_bytes(b"PK\x03\x04 not a header")
    with pytest.raises(ValueError, match="no safetensors header"):
        safetensors_shapes(str(bad))
    (tmp_path / "short.safetensors").write_bytes(b"\x01")
    with pytest.raises(ValueError, match="too short"):
        safetensors_shapes(str(tmp_path / "short.safetensors"))


class _FakeLamaBlock(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.convl2l = torch.nn.Conv2d(1, 1, 1)

    def forward(self, image, mask):
        return self.convl2l(image) * mask


LAYOUTS = {
    "lama": {"generator.model.1.ffc.convl2l.weight": [1], "generator.model.1.bn_l.running_mean": [1]},
    "mat": {"synthesis.first_stage.conv_first.conv.resample_filter": [4, 4], "mapping.fc0.weight": [1]},
    "migan": {"encoder.b256.fromrgb.weight": [1], "synthesis.b4.torgb.weight": [1]},
    "fooocus_head": {"head": [320, 5, 3, 3]},
}


@pytest.mark.parametrize("kind", LAYOUTS)
@pytest.mark.parametrize("fmt", ["safetensors", "zip", "legacy"])
def test_inpaint_folder_kinds_in_every_state_dict_format(tmp_path, kind, fmt):
    state = {name: torch.zeros(shape) for name, shape in LAYOUTS[kind].items()}
    path = tmp_path / f"model.{fmt}"
    if fmt == "safetensors":
        save_file(state, str(path))
        names = set(safetensors_shapes(str(path)))
    else:
        torch.save(state, path, _use_new_zipfile_serialization=fmt == "zip")
        names = pickle_strings(str(path))
        assert not is_torchscript(str(path))
    assert inpaint_folder_kind(names, path.name) == kind


def test_torchscript_archives_are_recognised_by_their_attribute_names(tmp_path):
    path = tmp_path / "big-lama.pt"
    example = (torch.rand(1, 1, 8, 8), torch.ones(1, 1, 8, 8))
    torch.jit.trace(_FakeLamaBlock(), example).save(str(path))
    assert is_torchscript(str(path))
    assert inpaint_folder_kind(pickle_strings(str(path)), path.name) == "lama"


def test_fooocus_files_and_unknown_files():
    assert inpaint_folder_kind({"diffusion_model.input_blocks.0.0.weight"}) == "fooocus_patch"
    assert inpaint_folder_kind(set(), "inpaint_v26.fooocus.patch") == "fooocus_patch"
    assert inpaint_folder_kind({"head", "collections", "OrderedDict"}, "fooocus_inpaint_head.pth") == "fooocus_head"
    assert inpaint_folder_kind({"something.else.weight"}, "mine.pt") is None


def test_pickle_strings_never_runs_the_pickle(tmp_path):
    path = tmp_path / "evil.pt"
    # A pickle that would call os.system when loaded: scanning it must only read its opcodes.
    path.write_bytes(b"cos\nsystem\n(S'touch " + str(tmp_path / "ran").encode() + b"'\ntR.")
    strings = pickle_strings(str(path))
    assert not (tmp_path / "ran").exists()
    assert any("touch" in s for s in strings)
