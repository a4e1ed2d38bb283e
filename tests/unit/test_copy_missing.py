"""Example inputs are copied into ComfyUI's input folder without touching a user's file of the same name."""

from inpaint_bridge.nodes.common.copy_missing import copy_missing


def test_copies_only_what_is_missing(tmp_path):
    source, dest = tmp_path / "src", tmp_path / "input"
    source.mkdir()
    (source / "a.png").write_bytes(b"shipped a")
    (source / "b.png").write_bytes(b"shipped b")
    (source / "sub").mkdir()  # folders are not copied
    dest.mkdir()
    (dest / "b.png").write_bytes(b"the user's own b")

    assert copy_missing(source, dest) == [dest / "a.png"]
    assert (dest / "a.png").read_bytes() == b"shipped a"
    assert (dest / "b.png").read_bytes() == b"the user's own b"
    assert not (dest / "sub").exists()
    assert copy_missing(source, dest) == [], "a second load copies nothing"


def test_missing_source_or_destination_folder(tmp_path):
    assert copy_missing(tmp_path / "none", tmp_path / "input") == []
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "x.jpg").write_bytes(b"x")
    assert copy_missing(tmp_path / "src", tmp_path / "new" / "input") == [tmp_path / "new" / "input" / "x.jpg"]
