"""Saved workflows as REST endpoints on the real bridge and a real ComfyUI (issue #19).

Every example workflow is registered from the pack's folder and called through its own route with its
real input picture (as base64, a data: URI, a URL or an uploaded ref); its outputs are checked as the
example checks check them. A workflow saved through ComfyUI's own user-data API is served too; the
UI-format and API-format files of one graph give identical prompts; bad inputs get 422 naming the
field; workflows naming a node or a model the server lacks are listed as unavailable with the reason.
The ComfyUI is the browser tier's (the examples' stand-in models are in place before it starts).
"""

import asyncio
import base64
import functools
import http.server
import io
import json
import shutil
import threading
import urllib.parse

import httpx
import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from support.bridge import FIXTURES, ThreadedBridge
from support.example_checks import EXAMPLES_DIR, INPUT_DIR, check_example, example_paths, load_ui

EXAMPLES = example_paths()
SMALL = {  # the reduced checkpoint samples noise: 2 steps on 64² crops, through the examples' own parameters
    "inpaint_crop_stitch": {"sampler": {"steps": 2}, "crop": {"target_width": 64, "target_height": 64}},
    "outpaint": {"inpaint": {"steps": 2, "target_width": 64, "target_height": 64}},
}
# How each example's picture travels: every form the route takes is used at least once.
SENT_AS = {"mask_from_points": "url", "remove_background": "data_uri", "mask_adjust": "ref"}


class PictureServer:
    """The shipped input pictures over HTTP (an image URL the bridge may fetch: its host is allowed)."""

    def __init__(self):
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(INPUT_DIR))
        handler.log_message = lambda *a: None
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.host = f"127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, name: str) -> str:
        return f"http://{self.host}/{urllib.parse.quote(name)}"


@pytest.fixture(scope="module")
def pictures():
    server = PictureServer()
    yield server
    server.httpd.shutdown()


@pytest.fixture(scope="module")
def user_folder(tmp_path_factory):
    """A second workflow folder: the frontend's API export of an example, and workflows that cannot run."""
    folder = tmp_path_factory.mktemp("workflows")
    shutil.copy(FIXTURES / "workflows" / "remove_by_click.api.json", folder / "remove_by_click_api.json")
    shutil.copy(FIXTURES / "workflows" / "remove_by_click.subgraph.json", folder / "remove_by_click_subgraph.json")
    ui = load_ui(EXAMPLES_DIR / "mask_adjust.json")
    for node in ui["nodes"]:
        if node["type"] == "IB_MaskFeather":
            node["type"] = "SomeoneElsesFeather"
    (folder / "needs_a_pack.json").write_text(json.dumps(ui))
    ui = load_ui(EXAMPLES_DIR / "inpaint_crop_stitch.json")
    next(n for n in ui["nodes"] if n["type"] == "CheckpointLoaderSimple")["widgets_values"] = ["sdxl_base.safetensors"]
    (folder / "needs_a_model.json").write_text(json.dumps(ui))
    (folder / "mask_adjust.json").write_text("{}")  # the pack's folder comes first: this one is not served
    ui = load_ui(EXAMPLES_DIR / "remove_by_click.json")
    erase = next(n for n in ui["nodes"] if n["type"] == "IB_Erase")
    erase["widgets_values"] = [v if v != "fixed" else "randomize" for v in erase["widgets_values"]]
    (folder / "randomized_erase.json").write_text(json.dumps(ui))
    return folder


@pytest.fixture(scope="module")
def bridge(frontend_server, user_folder, pictures, tmp_path_factory):
    b = ThreadedBridge(
        tmp_path_factory.mktemp("workflows-bridge"),
        [frontend_server.url],
        workers=2,
        workflows_dir=[str(EXAMPLES_DIR), str(user_folder), "comfyui:workflows"],
        allow_url_hosts=[pictures.host],
    ).start(timeout=120)
    yield b
    b.stop()


@pytest.fixture(scope="module")
def client(bridge):
    with httpx.Client(base_url=bridge.url, timeout=300) as c:
        yield c


def picture_value(client, bridge, pictures, example: str, name: str):
    data = (INPUT_DIR / name).read_bytes()
    form = SENT_AS.get(example, "base64")
    if form == "url":
        return pictures.url(name)
    if form == "data_uri":
        return "data:application/octet-stream;base64," + base64.b64encode(data).decode()
    if form == "ref":
        return bridge.upload(client, Image.open(io.BytesIO(data)))
    return base64.b64encode(data).decode()


def view_outputs(client, workflow: dict, record: dict) -> tuple[dict, callable]:
    """The finished task as the example checks read a /history entry: node id -> {"images": [...]}, and a viewer."""
    node_of = {o["name"]: o["node"] for o in workflow["outputs"]}
    outputs: dict = {}
    for out in record["outputs"]:
        outputs.setdefault(node_of[out["name"]], {"images": []})["images"].append(out)
    if "stats" in record["info"]:  # IB_MaskStatistics reports its figures to the bridge as ib_stats
        (stats_node,) = [n for n, v in workflow_nodes(workflow).items() if v == "IB_MaskStatistics"]
        outputs[stats_node] = {"stats": record["info"]["stats"]}

    def view(item: dict) -> np.ndarray:
        response = client.get(item["url"])
        response.raise_for_status()
        return np.array(Image.open(io.BytesIO(response.content)))

    return outputs, view


def workflow_nodes(workflow: dict) -> dict[str, str]:
    return {str(n["id"]): n["type"] for n in load_ui(EXAMPLES_DIR / f"{workflow['name']}.json")["nodes"]}


def run(client, name: str, inputs: dict, wait: float = 240) -> httpx.Response:
    return client.post(f"/bridge/v1/workflows/{name}", json={"inputs": inputs}, params={"wait": wait})


def test_every_example_is_listed_with_its_inputs_outputs_and_own_request_model(client):
    listing = client.get("/bridge/v1/workflows").json()
    by_name = {w["name"]: w for w in listing["workflows"]}
    for path in EXAMPLES:
        wf = by_name[path.stem]
        assert wf["available"], (path.stem, wf["reason"])
        assert [i["name"] for i in wf["images"]] == ["image"] and wf["outputs"], path.stem
    sampler = {p["name"]: p for p in by_name["inpaint_crop_stitch"]["params"]}
    assert sampler["sampler.steps"]["type"] == "INT" and sampler["sampler.steps"]["default"] == 20
    assert (sampler["sampler.steps"]["minimum"], sampler["sampler.steps"]["maximum"]) == (1, 10000)
    assert "euler" in sampler["sampler.sampler_name"]["choices"] and sampler["prompt"]["type"] == "STRING"
    openapi = client.get("/openapi.json").json()
    for path in EXAMPLES:
        operation = openapi["paths"][f"/bridge/v1/workflows/{path.stem}"]["post"]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert ref == f"#/components/schemas/Workflow_{path.stem}_request"
        assert operation["security"], "the native API's keys apply"
    inputs = openapi["components"]["schemas"]["Workflow_inpaint_crop_stitch_inputs"]["properties"]
    assert set(inputs) == {"image", "crop", "prompt", "negative_prompt", "sampler"}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_through_its_route(path, client, bridge, pictures):
    workflow = client.get(f"/bridge/v1/workflows/{path.stem}").json()
    ui = load_ui(path)
    (picture,) = [n["widgets_values"][0] for n in ui["nodes"] if n["type"] == "LoadImage"]
    inputs = {"image": picture_value(client, bridge, pictures, path.stem, picture), **SMALL.get(path.stem, {})}
    response = run(client, path.stem, inputs)
    record = response.json()
    assert response.status_code == 200 and record["status"] == "succeeded", record
    assert record["kind"] == "workflow" and record["info"]["workflow"] == path.stem
    outputs, view = view_outputs(client, workflow, record)
    assert {o["name"] for o in record["outputs"]} == {o["name"] for o in workflow["outputs"]}
    check_example(path.stem, ui, outputs, view)
    if path.stem == "inpaint_crop_stitch":
        _repaints_only_the_painted_regions(ui, view(outputs["10"]["images"][0]), picture)
    if path.stem == "outpaint":
        _extends_and_keeps_the_original(ui, view(outputs["5"]["images"][0]), picture)


def _repaints_only_the_painted_regions(ui: dict, result: np.ndarray, picture: str) -> None:
    rgba = np.array(Image.open(INPUT_DIR / picture))
    photo, painted = rgba[..., :3], rgba[..., 3] == 0  # the mask editor paints transparency
    grow, feather = next(n for n in ui["nodes"] if n["type"] == "IB_InpaintStitch")["widgets_values"][:2]
    far = ndimage.distance_transform_edt(~painted) > grow + feather + 2
    assert np.array_equal(result[..., :3][far], photo[far]), "outside the blend band: the original, bit for bit"
    assert np.abs(result[..., :3][painted].astype(int) - photo[painted]).mean() > 5


def _extends_and_keeps_the_original(ui: dict, result: np.ndarray, picture: str) -> None:
    photo = np.array(Image.open(INPUT_DIR / picture).convert("RGB"))
    overlap = next(n for n in ui["nodes"] if n["type"] == "IB_OutpaintExpand")["widgets_values"][12]
    assert result.shape[:2] == (256, 616), "30% a side, rounded to multiples of 8"
    original = result[:, 116 : 116 + 384, :3]
    assert np.array_equal(original[:, overlap:-overlap], photo[:, overlap:-overlap])


def test_a_workflow_saved_in_comfyui_is_served(client, frontend_server):
    # What the UI's Save does: POST /userdata/workflows%2F<name>.json (the API format works the same).
    saved = (EXAMPLES_DIR / "mask_statistics.json").read_bytes()
    response = httpx.post(f"{frontend_server.url}/userdata/workflows%2Fmy%20stats.json?overwrite=true", content=saved)
    assert response.status_code == 200, response.text
    listing = client.get("/bridge/v1/workflows").json()
    mine = next(w for w in listing["workflows"] if w["name"] == "my_stats")
    assert mine["available"] and mine["source"] == "comfyui:workflows" and mine["location"] == "workflows/my stats.json"
    picture = base64.b64encode((INPUT_DIR / "ib_example_coffee_painted.webp").read_bytes()).decode()
    record = run(client, "my_stats", {"image": picture}).json()
    assert record["status"] == "succeeded" and record["info"]["stats"][0]["components"] == 1


def test_the_ui_and_api_files_of_one_graph_give_identical_prompts(client, bridge):
    listing = {w["name"]: w for w in client.get("/bridge/v1/workflows").json()["workflows"]}
    ui, api, nested = listing["remove_by_click"], listing["remove_by_click_api"], listing["remove_by_click_subgraph"]
    assert (ui["format"], api["format"]) == ("ui", "api") and api["available"] and nested["available"]
    assert ui["params"] == api["params"] and ui["outputs"] == api["outputs"]
    assert [p["name"] for p in nested["params"]] == [p["name"] for p in ui["params"]]
    picture = bridge.upload(client, Image.open(INPUT_DIR / "ib_example_astronaut.jpg"))
    inputs = {"image": picture, "segment": {"points": '[{"x": 420, "y": 100, "label": 1}]'}}
    names = ("remove_by_click", "remove_by_click_api", "remove_by_click_subgraph")
    records = [run(client, name, inputs).json() for name in names]
    stored = [_stored_task(bridge, r["id"]) for r in records]
    assert stored[0]["prompt"] == stored[1]["prompt"]
    assert stored[2]["prompt"]["7:4"]["inputs"] == stored[0]["prompt"]["4"]["inputs"], "the subgraph's nodes, flattened"
    pixels = [client.get(r["outputs"][0]["url"]).content for r in records]
    assert pixels[0] == pixels[1] == pixels[2], "the same prompt gives the same pixels"


def test_randomize_seeds_are_drawn_per_run_and_reported(client, bridge):
    listing = {w["name"]: w for w in client.get("/bridge/v1/workflows").json()["workflows"]}
    assert listing["randomized_erase"]["randomized"] == ["5.seed"]
    picture = bridge.upload(client, Image.open(INPUT_DIR / "ib_example_astronaut.jpg"))
    records = [run(client, "randomized_erase", {"image": picture}).json() for _ in range(2)]
    seeds = [r["info"]["seeds"]["5.seed"] for r in records]
    assert seeds[0] != seeds[1] and all(0 <= s <= 4294967295 for s in seeds), "within IB_Erase's seed range"
    for record, seed in zip(records, seeds, strict=True):
        assert record["status"] == "succeeded" and record["info"]["seed"] == seed
        assert _stored_task(bridge, record["id"])["prompt"]["5"]["inputs"]["seed"] == seed, "the seed it ran with"


def _stored_task(bridge, task_id: str) -> dict:
    """The task as the bridge stored it (the prompt it ran), read on the bridge's own loop."""
    future = asyncio.run_coroutine_threadsafe(bridge.service.get(task_id), bridge.loop)
    return future.result(30).task


def test_bad_inputs_are_refused_with_422_naming_the_field(client):
    picture = base64.b64encode((INPUT_DIR / "ib_example_coffee.jpg").read_bytes()).decode()
    gif = io.BytesIO()
    Image.new("RGB", (64, 64)).save(gif, "GIF")
    cases = {
        "inputs.colour": {"image": picture, "colour": "red"},  # unknown parameter
        "inputs.sampler.steps": {"image": picture, "sampler": {"steps": 0}},  # out of range
        "inputs.sampler.sampler_name": {"image": picture, "sampler": {"sampler_name": "no_such_sampler"}},
        "inputs.image": {"prompt": "a cube"},  # missing image
    }
    for field, inputs in cases.items():
        response = run(client, "inpaint_crop_stitch", inputs, wait=0)
        error = response.json()["error"]
        assert response.status_code == 422 and error["code"] == "invalid_input", (field, error)
        assert f": {field}:" in error["message"] or error["details"].get("field") == field, (field, error)
    for wrong in (5, base64.b64encode(gif.getvalue()).decode(), "bm90IGFuIGltYWdl"):  # a number, a GIF, not an image
        response = run(client, "inpaint_crop_stitch", {"image": wrong}, wait=0)
        error = response.json()["error"]
        assert response.status_code == 422 and "inputs.image" in error["message"], error
    unknown = client.post("/bridge/v1/workflows/no_such_workflow", json={"inputs": {}})
    assert unknown.status_code == 404 and "remove_by_click" in unknown.json()["error"]["message"]


def test_workflows_the_server_cannot_run_are_listed_with_the_reason(client):
    listing = {w["name"]: w for w in client.get("/bridge/v1/workflows").json()["workflows"]}
    pack = listing["needs_a_pack"]
    assert not pack["available"] and pack["node_type"] == "SomeoneElsesFeather"
    assert "not installed on this ComfyUI" in pack["reason"] and pack["node_id"] == "7"
    model = listing["needs_a_model"]
    assert not model["available"] and "model 'sdxl_base.safetensors' is not installed" in model["reason"]
    assert model["node_type"] == "CheckpointLoaderSimple"
    refused = client.post("/bridge/v1/workflows/needs_a_model", json={"inputs": {"image": "x"}})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_runnable"
    assert refused.json()["error"]["details"]["reason"] == model["reason"]
    paths = client.get("/openapi.json").json()["paths"]
    assert "/bridge/v1/workflows/needs_a_model" not in paths and "/bridge/v1/workflows/needs_a_pack" not in paths
    shadowed = client.get("/bridge/v1/workflows").json()["skipped"]
    assert [s["location"].rsplit("/", 1)[-1] for s in shadowed] == ["mask_adjust.json"]
