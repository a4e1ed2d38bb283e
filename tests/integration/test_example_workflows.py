"""Every saved UI workflow in example_workflows/ runs as shipped on the real ComfyUI: its input
pictures come from example_workflows/input (copied into ComfyUI's input folder by the pack
itself when it loads), and each produces what it is for (tests/support/example_checks.py).

The browser tier (tests/e2e/test_frontend_templates.py) runs the same examples from ComfyUI's
template browser; this one converts them with the bridge's converter (api_bridge/workflows/convert.py), with no
browser.
"""

import pathlib

import pytest

from api_bridge.workflows.convert import ui_to_api
from support.example_checks import INPUT_DIR, check_example, example_paths, load_ui, referenced_input_images
from support.example_models import provide_example_models
from support.test_checkpoints import cpu_sized

EXAMPLES = example_paths()


@pytest.fixture(scope="module")
def example_models(comfy_server):
    return provide_example_models(comfy_server.models_dir, EXAMPLES)


def test_every_example_input_is_shipped_and_installed_by_the_pack(comfy_server):
    referenced = {name for path in EXAMPLES for name in referenced_input_images(load_ui(path))}
    shipped = {p.name for p in INPUT_DIR.iterdir()}
    assert referenced <= shipped, f"example inputs not shipped in example_workflows/input: {referenced - shipped}"
    assert shipped <= referenced, f"shipped inputs no example uses: {shipped - referenced}"
    installed = pathlib.Path(comfy_server.base_dir) / "input"
    for name in shipped:
        assert (installed / name).read_bytes() == (INPUT_DIR / name).read_bytes(), f"{name} not copied at load"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_workflow_runs_as_shipped(path, comfy, example_models):
    ui = load_ui(path)
    # Diffusion examples sample at 2 steps and 64² crops here (noise from the reduced checkpoint anyway).
    outputs = comfy.run(cpu_sized(ui_to_api(ui, comfy.object_info())))
    check_example(path.stem, ui, outputs, comfy.view)
