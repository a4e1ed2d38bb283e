"""IOPaint's /api/v1 on the real bridge and ComfyUI, with the payloads its web UI and scripts send.

Every answer is checked as IOPaint's clients read it: raw image bytes in the input's format with X-Seed
(exposed by CORS), masks in the web UI's overlay colour, IOPaint's error JSON; erasing keeps every pixel
outside the mask bit for bit.
"""

import json

import cv2
import httpx
import numpy as np
import pytest
from PIL import Image, PngImagePlugin
from skimage import data

from support.bridge import ThreadedBridge
from support.iopaint import OVERLAY, brush_mask, data_url, decode, encode, frontend_body, masked

PHOTO = data.coffee()[::2, ::2].copy()  # 300x200, a real photo
SPOON = [(178, 140), (186, 110), (196, 75), (205, 42)]  # the spoon's handle, image pixels at half size
ERROR_KEYS = {"error", "detail", "body", "errors"}


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("iopaint")
    (root / "out").mkdir()
    Image.fromarray(PHOTO).save(root / "start photo.png")
    return root


@pytest.fixture(scope="module")
def bridge(bridge_comfy, dirs):
    env = {"IB_IOPAINT_OUTPUT_DIR": str(dirs / "out"), "IB_IOPAINT_INPUT": str(dirs / "start photo.png")}
    b = ThreadedBridge(dirs / "data", [bridge_comfy.url], env=env, workers=1).start(timeout=120)
    yield b
    b.stop()


@pytest.fixture
def api(bridge):
    with httpx.Client(base_url=bridge.url + "/api/v1", timeout=120) as client:
        yield client


def stroke():
    mask = brush_mask((PHOTO.shape[1], PHOTO.shape[0]), SPOON)
    return mask, masked(mask)


def rgb(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"))


def is_error(r: httpx.Response, status: int, detail: str | None = None) -> dict:
    body = r.json()
    assert r.status_code == status and set(body) == ERROR_KEYS, (r.status_code, body)
    assert isinstance(body["errors"], str) and body["errors"]  # what the web UI shows
    if detail is not None:
        assert body["detail"] == detail and body["errors"] == f"{status}: {detail}"
    assert r.headers["access-control-allow-origin"] == "*"
    return body


def test_server_config_and_model_say_what_is_installed(api):
    config = api.get("/server-config").json()
    names = [m["name"] for m in config["modelInfos"]]
    assert {"cv2", "exemplar"} <= set(names) and len(names) == len(set(names))
    assert config["samplers"] == api.get("/samplers").json() and "PNDM" not in config["samplers"]
    assert config["enableAutoSaving"] is True and config["enableFileManager"] is False
    assert config["realesrganModels"] == [] and config["controlnetMethod"] is None
    current = api.get("/model").json()
    assert current["name"] == ("lama" if "lama" in names else "exemplar")  # IOPaint's default, when installed
    assert current["need_prompt"] is False and current["model_type"] == "inpaint"
    assert api.post("/model", json={"name": "cv2"}).json()["name"] == "cv2"
    assert api.get("/model").json()["name"] == "cv2"


@pytest.mark.parametrize("model, flag", [("cv2", "INPAINT_NS"), ("cv2", "INPAINT_TELEA"), ("exemplar", "INPAINT_NS")])
def test_the_web_uis_payload_erases_and_keeps_every_pixel_outside_the_mask(api, model, flag):
    mask, hole = stroke()
    assert api.post("/model", json={"name": model}).status_code == 200
    body = frontend_body(data_url(Image.fromarray(PHOTO)), data_url(mask, mime="image/png"), cv2_flag=flag)
    r = api.post("/inpaint", json=body)
    assert r.status_code == 200 and r.headers["content-type"] == "image/png", r.text[:300]
    seed = int(r.headers["x-seed"])
    assert 1 <= seed <= 99999999  # -1 resolved, as IOPaint answers it
    assert "X-Seed" in r.headers["access-control-expose-headers"]
    out = rgb(decode(r.content))
    assert out.shape == PHOTO.shape
    assert np.array_equal(out[~hole], PHOTO[~hole]), "outside the mask the photo comes back bit for bit"
    edge = np.asarray(mask)[..., 3] == 18
    assert edge.any() and (out[edge] != PHOTO[edge]).any(axis=-1).mean() > 0.2, "faint edge pixels are masked too"
    change = np.abs(out.astype(int) - PHOTO.astype(int))[hole].mean()
    assert change > 8, f"the spoon is still there (mean change {change:.1f})"


def test_telea_and_navier_stokes_and_their_radius_give_their_own_fills(api):
    mask, _ = stroke()
    api.post("/model", json={"name": "cv2"})
    outs = []
    for flag, radius in (("INPAINT_NS", 5), ("INPAINT_TELEA", 5), ("INPAINT_TELEA", 15)):
        body = frontend_body(data_url(Image.fromarray(PHOTO)), data_url(mask), cv2_flag=flag, cv2_radius=radius)
        outs.append(api.post("/inpaint", json=body).content)
    assert len(set(outs)) == 3


def test_the_result_comes_back_in_the_inputs_format_with_its_alpha_and_text(api):
    mask, hole = stroke()
    api.post("/model", json={"name": "cv2"})
    jpeg = api.post("/inpaint", json={"image": data_url(Image.fromarray(PHOTO), "JPEG"), "mask": data_url(mask)})
    assert jpeg.headers["content-type"] == "image/jpeg" and decode(jpeg.content).format == "JPEG"
    assert jpeg.headers["x-seed"] == "42"  # the default seed, echoed
    webp = api.post("/inpaint", json={"image": data_url(Image.fromarray(PHOTO), "WEBP"), "mask": data_url(mask)})
    assert webp.headers["content-type"] == "image/webp" and decode(webp.content).format == "WEBP"

    alpha = np.full(PHOTO.shape[:2], 255, np.uint8)
    alpha[:, :40] = 0
    rgba = Image.fromarray(np.dstack([PHOTO, alpha]))
    text = PngImagePlugin.PngInfo()
    text.add_text("parameters", "a cup of coffee\nNegative prompt: spoon")
    raw = encode(rgba, "PNG", pnginfo=text)
    r = api.post("/inpaint", json={"image": data_url(raw), "mask": data_url(mask), "sd_seed": 1234})
    out = decode(r.content)
    assert r.headers["x-seed"] == "1234" and out.mode == "RGBA"
    assert np.array_equal(np.asarray(out)[..., 3], alpha), "an RGBA input's alpha is re-attached"
    assert out.info["parameters"] == "a cup of coffee\nNegative prompt: spoon"
    assert np.array_equal(rgb(out)[~hole], PHOTO[~hole])


def test_the_last_render_goes_back_in_as_the_next_image(api):
    api.post("/model", json={"name": "exemplar"})
    first_mask, _ = stroke()
    first = api.post("/inpaint", json=frontend_body(data_url(Image.fromarray(PHOTO)), data_url(first_mask)))
    second_mask = brush_mask((PHOTO.shape[1], PHOTO.shape[0]), [(60, 150), (90, 160)])
    second = api.post("/inpaint", json=frontend_body(data_url(first.content), data_url(second_mask)))
    assert second.status_code == 200
    before, after = rgb(decode(first.content)), rgb(decode(second.content))
    keep = ~masked(second_mask)
    assert np.array_equal(after[keep], before[keep]) and not np.array_equal(after, before)


def test_hd_strategies_are_honoured_on_a_large_image(api):
    big = cv2.resize(data.coffee(), (960, 640), interpolation=cv2.INTER_CUBIC)  # over the 800 px crop trigger
    mask = brush_mask((960, 640), [(560, 450), (576, 360), (608, 240), (648, 136)], width=48)
    hole = masked(mask)
    api.post("/model", json={"name": "cv2"})
    outs = {}
    for strategy, extra in (("Original", {}), ("Resize", {"hd_strategy_resize_limit": 400}), ("Crop", {})):
        body = {"image": data_url(Image.fromarray(big)), "mask": data_url(mask), "hd_strategy": strategy, **extra}
        body["cv2_flag"] = "INPAINT_TELEA"
        outs[strategy] = rgb(decode(api.post("/inpaint", json=body).content))
        assert np.array_equal(outs[strategy][~hole], big[~hole]), strategy
    # Crop runs the engine in a window around the stroke; Resize runs it at 400 px and scales the fill up.
    assert not np.array_equal(outs["Resize"], outs["Original"])
    assert not np.array_equal(outs["Crop"], outs["Resize"])


@pytest.mark.parametrize("operate", ["expand", "shrink", "reverse"])
def test_adjust_mask_is_iopaints_in_the_web_uis_colour(api, operate):
    mask, _ = stroke()
    r = api.post("/adjust_mask", json={"mask": data_url(mask, mime="image/png"), "operate": operate, "kernel_size": 3})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    out = np.asarray(decode(r.content))
    assert out.shape == (*PHOTO.shape[:2], 4)
    # IOPaint's helper.adjust_mask: L >= 127, then invert or an elliptic (2k+1)² dilate / erode.
    grey = np.where(np.asarray(mask.convert("L")) >= 127, 255, 0).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))
    expected = {"reverse": 255 - grey, "expand": cv2.dilate(grey, kernel), "shrink": cv2.erode(grey, kernel)}[operate]
    on = expected > 128
    assert (out[on] == OVERLAY).all() and (out[~on] == 0).all()


def test_gen_info_save_image_and_inputimage(api, dirs):
    text = PngImagePlugin.PngInfo()
    text.add_text("parameters", "espresso, top view\nNegative prompt: spoon, blur\nSteps: 30")
    png = encode(Image.fromarray(PHOTO), "PNG", pnginfo=text)
    info = api.post("/gen-info", files={"file": ("x.png", png, "image/png")})
    assert info.json() == {"prompt": "espresso, top view", "negative_prompt": "spoon, blur"}

    saved = api.post("/save_image", files={"file": ("../result 1.png", png, "image/png")})
    assert saved.status_code == 200 and saved.json() is None
    assert (dirs / "out" / "result 1.png").read_bytes() == png

    start = api.get("/inputimage", headers={"pragma": "no-cache", "cache-control": "no-cache"})
    assert start.status_code == 200 and start.headers["content-type"] == "image/png"
    assert "filename=start photo.png" in start.headers["content-disposition"]  # the web UI's name for it
    assert np.array_equal(rgb(decode(start.content)), PHOTO)


def test_refusals_come_in_iopaints_error_json(api):
    mask, _ = stroke()
    photo = data_url(Image.fromarray(PHOTO))
    is_error(api.post("/inpaint", json={"image": None, "mask": data_url(mask)}), 400)  # IOPaint: a 500 there
    small = data_url(mask.resize((100, 50)))
    is_error(
        api.post("/inpaint", json={"image": photo, "mask": small}),
        400,
        "Image size((200, 300)) and mask size((50, 100)) not match.",
    )
    bad = is_error(api.post("/inpaint", json={"image": "data:image/png;base64,@@not base64@@", "mask": small}), 400)
    assert "base64" in bad["detail"]
    notimage = is_error(api.post("/inpaint", json={"image": data_url(b"plain text"), "mask": small}), 400)
    assert "not a readable image" in notimage["detail"]
    unknown = is_error(api.post("/model", json={"name": "sd-9-ultra"}), 422)
    assert "sd-9-ultra" in unknown["detail"] and "cv2" in unknown["detail"]  # names what is installed
    is_error(api.post("/run_plugin_gen_mask", json={"name": "RealESRGAN", "image": photo}), 422, "Plugin not found")
    invalid = is_error(api.post("/inpaint", json={"image": photo, "mask": small, "cv2_flag": "FAST"}), 422)
    assert invalid["error"] == "RequestValidationError" and invalid["detail"][0]["loc"] == ["body", "cv2_flag"]
    broken = api.post("/inpaint", content=b"{nope", headers={"Content-Type": "application/json"})
    is_error(broken, 422)
    missing = is_error(api.post("/gen-info"), 422)
    assert missing["detail"][0]["loc"] == ["body", "file"]
    assert api.post("/switch_plugin_model", json={"plugin_name": "Nope", "model_name": "x"}).json() is None


def test_a_browser_on_another_origin_may_call_and_read_the_seed(api):
    pre = api.options(
        "/inpaint",
        headers={
            "Origin": "http://elsewhere.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == "*"
    assert "POST" in pre.headers["access-control-allow-methods"]
    assert pre.headers["access-control-allow-headers"] == "content-type"


def test_the_web_ui_is_served_at_the_root_on_the_same_origin(bridge):
    with httpx.Client(base_url=bridge.url, timeout=30) as c:
        index = c.get("/")
        assert index.status_code == 200 and index.headers["content-type"].startswith("text/html")
        assert "<title>IOPaint</title>" in index.text
        scripts = [part.split('"')[0] for part in index.text.split('src="')[1:]]
        styles = [part.split('"')[0] for part in index.text.split('href="')[1:] if ".css" in part.split('"')[0]]
        for path in [*scripts, *styles, "/favicon.ico"]:
            r = c.get(path)
            assert r.status_code == 200 and r.content, path
        assert c.get(scripts[0]).headers["content-type"].startswith("text/javascript")
        assert "/api/v1" in c.get(scripts[0]).text  # the bundle's relative API base: same origin
        missing = c.get("/assets/nothing-here.js")
        assert missing.status_code == 404 and set(missing.json()) == ERROR_KEYS
        # POST / belongs to the contracts that share the root (Volcengine): not this UI's; both methods are allowed.
        assert c.post("/", json={}).status_code != 200
        wrong = c.put("/")
        assert wrong.status_code == 405 and {"GET", "POST"} <= set(wrong.headers["allow"].replace(" ", "").split(","))
        assert json.loads(c.get("/api/v1/samplers").text)


FULL = data.coffee()  # 600x400: the plugins see the photo at its size
CUP, SAUCER = (290, 190), (110, 300)  # a click on the cup, one on the saucer (as in the SAM editor's test)


def overlay_of(r: httpx.Response) -> np.ndarray:
    assert r.status_code == 200 and r.headers["content-type"] == "image/png", r.text[:300]
    out = np.asarray(decode(r.content))
    assert out.shape == (*FULL.shape[:2], 4)
    on = out[..., 3] > 0
    assert (out[on] == OVERLAY).all() and (out[~on] == 0).all(), "the web UI's overlay colour on transparent"
    return on


def test_interactive_segmentation_by_clicks_with_the_default_sam_model(api):
    config = api.get("/server-config").json()
    plugins = {p["name"]: p for p in config["plugins"]}
    assert plugins["InteractiveSeg"] == {"name": "InteractiveSeg", "support_gen_image": False, "support_gen_mask": True}
    assert config["interactiveSegModel"] == "minisam" and "minisam" in config["interactiveSegModels"]
    photo = data_url(Image.fromarray(FULL), mime="image/png")
    body = {"name": "InteractiveSeg", "image": photo, "scale": 2, "clicks": [[*CUP, 1, 0]]}
    cup = overlay_of(api.post("/run_plugin_gen_mask", json=body))
    assert cup[CUP[1], CUP[0]] and 0.02 < cup.mean() < 0.8
    both = overlay_of(api.post("/run_plugin_gen_mask", json={**body, "clicks": [[*CUP, 1, 0], [*SAUCER, 0, 1]]}))
    assert both[CUP[1], CUP[0]] and not both[SAUCER[1], SAUCER[0]], "a 0 click excludes"
    refused = api.post("/run_plugin_gen_image", json=body)
    is_error(refused, 422, "Plugin does not support output image")
    is_error(api.post("/run_plugin_gen_mask", json={**body, "clicks": []}), 400)
    assert (
        api.post("/switch_plugin_model", json={"plugin_name": "InteractiveSeg", "model_name": "minisam"}).json() is None
    )
    unknown = is_error(
        api.post("/switch_plugin_model", json={"plugin_name": "InteractiveSeg", "model_name": "vit_h"}), 422
    )
    assert "minisam" in unknown["detail"]


def test_remove_bg_gives_the_mask_and_the_cut_out(api):
    config = api.get("/server-config").json()
    assert {"name": "RemoveBG", "support_gen_image": True, "support_gen_mask": True} in config["plugins"]
    assert config["removeBGModel"] == "u2netp" and config["removeBGModels"] == ["u2netp"]
    is_error(api.post("/switch_plugin_model", json={"plugin_name": "RemoveBG", "model_name": "u2net"}), 422)
    body = {"name": "RemoveBG", "image": data_url(Image.fromarray(FULL)), "clicks": [], "scale": 2}
    mask = overlay_of(api.post("/run_plugin_gen_mask", json=body))
    cut = api.post("/run_plugin_gen_image", json=body)
    assert cut.status_code == 200 and cut.headers["content-type"] == "image/png"
    rgba = np.asarray(decode(cut.content))
    assert rgba.shape == (*FULL.shape[:2], 4) and np.array_equal(rgba[..., :3], FULL), "RGB untouched, alpha cut"
    subject = rgba[..., 3] > 128
    assert mask[CUP[1], CUP[0]] and subject[CUP[1], CUP[0]] and not subject[10, 590]
    # IOPaint grows the plugin mask by a 9x9 dilation before the web UI gets it.
    grown = cv2.dilate(subject.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    assert (subject <= mask).all() and (mask == grown).mean() > 0.999


def test_an_installed_learned_model_is_listed_and_erases(api, bridge_comfy, tmp_path):
    import shutil

    from support.tiny_models import build_migan

    # Shared with other tests: only this file, removed after. The folder stays (ComfyUI's file-list cache fails
    # on a folder removed under it).
    folder = bridge_comfy.models_dir / "inpaint"
    folder.mkdir(exist_ok=True)
    target = folder / "migan_256_iopaint_test.pt"
    shutil.move(build_migan(tmp_path, torchscript=False)["pt"], target)  # random weights, MI-GAN's official layout
    try:
        switched = api.post("/model", json={"name": "migan"})  # a file added while the bridge runs is found
        assert switched.status_code == 200, switched.text
        assert switched.json()["path"] == target.name and switched.json()["model_type"] == "inpaint"
        assert "migan" in [m["name"] for m in api.get("/server-config").json()["modelInfos"]]
        mask, hole = stroke()
        r = api.post("/inpaint", json=frontend_body(data_url(Image.fromarray(PHOTO)), data_url(mask)))
        assert r.status_code == 200, r.text[:300]
        out = rgb(decode(r.content))
        assert np.array_equal(out[~hole], PHOTO[~hole]) and not np.array_equal(out[hole], PHOTO[hole])
    finally:
        api.post("/model", json={"name": "exemplar"})
        target.unlink()


@pytest.fixture(scope="module")
def checkpoints(bridge_comfy):
    from support.test_checkpoints import INPAINTING, PLAIN, place_test_checkpoints

    place_test_checkpoints(bridge_comfy.models_dir / "checkpoints")  # reduced SD1.5-shaped, random weights
    return INPAINTING, PLAIN


def sd_body(image, mask, **settings) -> dict:
    """The web UI's body for a diffusion model, at CPU size: 2 steps on 64 px crops (sd_scale 1/8 of 512)."""
    cpu = {"prompt": "an empty saucer", "sd_steps": 2, "sd_scale": 0.125, "sd_seed": 7, "sd_sampler": "Euler a"}
    return frontend_body(image, mask, **{**cpu, **settings})


def far_from(hole: np.ndarray, reach: int) -> np.ndarray:
    """Pixels farther than ``reach`` from the mask (the stitch's grow + feather band around it)."""
    return cv2.distanceTransform((~hole).astype(np.uint8), cv2.DIST_L2, 5) > reach


def test_checkpoints_are_listed_as_iopaint_types_them(api, checkpoints):
    inpainting, plain = checkpoints
    infos = {m["name"]: m for m in api.get("/server-config").json()["modelInfos"]}
    assert infos[inpainting]["model_type"] == "diffusers_sd_inpaint" and infos[inpainting]["need_prompt"]
    assert infos[plain]["model_type"] == "diffusers_sd" and infos[plain]["support_outpainting"]
    assert infos[inpainting]["is_single_file_diffusers"] and infos[inpainting]["controlnets"] == []


@pytest.mark.parametrize("which", [0, 1], ids=["inpainting", "plain"])
def test_a_diffusion_checkpoint_inpaints_the_mask_and_keeps_the_rest(api, checkpoints, which):
    assert api.post("/model", json={"name": checkpoints[which]}).status_code == 200
    mask, hole = stroke()
    r = api.post("/inpaint", json=sd_body(data_url(Image.fromarray(PHOTO)), data_url(mask), sd_mask_blur=4))
    assert r.status_code == 200, r.text[:400]
    assert r.headers["x-seed"] == "7" and r.headers["content-type"] == "image/png"
    out = rgb(decode(r.content))
    keep = far_from(hole, 2 + 4 + 1)  # blend grow 2 + feather (sd_mask_blur) 4
    assert np.array_equal(out[keep], PHOTO[keep]), "outside the blend band the photo comes back bit for bit"
    assert np.abs(out.astype(int) - PHOTO.astype(int))[hole].mean() > 10, "the masked area is repainted"


def test_the_croper_limits_what_changes(api, checkpoints):
    api.post("/model", json={"name": checkpoints[0]})
    mask, hole = stroke()
    box = {"croper_x": 150, "croper_y": 60, "croper_width": 96, "croper_height": 96}  # the upper half of the stroke
    r = api.post("/inpaint", json=sd_body(data_url(Image.fromarray(PHOTO)), data_url(mask), use_croper=True, **box))
    assert r.status_code == 200, r.text[:400]
    out = rgb(decode(r.content))
    inside = np.zeros(hole.shape, bool)
    inside[60:156, 150:246] = True
    assert np.array_equal(out[~inside], PHOTO[~inside]), "nothing outside the croper changes, masked or not"
    assert (out[inside & hole] != PHOTO[inside & hole]).any()


def test_the_extender_outpaints_to_its_rectangle(api, checkpoints):
    api.post("/model", json={"name": checkpoints[1]})
    mask, _ = stroke()
    # 37 px added left and 20 right: the canvas is rounded to a multiple of 8 and cut back to the rectangle.
    rect = {"extender_x": -37, "extender_y": 0, "extender_width": 357, "extender_height": 200}
    body = sd_body(data_url(Image.fromarray(PHOTO)), data_url(mask), use_extender=True, sd_strength=0.3, **rect)
    r = api.post("/inpaint", json=body)
    assert r.status_code == 200, r.text[:400]
    out = rgb(decode(r.content))
    assert out.shape == (200, 357, 3), "the answer is the extender's rectangle"
    overlap = 20  # sd_outpainting_softness: how far the new area's band reaches into the photo
    kept = out[:, 37 + overlap : 37 + 300 - overlap]
    assert np.array_equal(kept, PHOTO[:, overlap : 300 - overlap]), "the photo sits where the rectangle puts it"
    assert out[:, :37].std() > 0 and out[:, -20:].std() > 0


def test_what_the_bridge_cannot_run_is_refused(api, checkpoints):
    api.post("/model", json={"name": checkpoints[0]})
    mask, _ = stroke()
    for flag in ("enable_controlnet", "enable_brushnet", "enable_powerpaint_v2", "sd_lcm_lora"):
        body = sd_body(data_url(Image.fromarray(PHOTO)), data_url(mask), **{flag: True})
        assert flag in is_error(api.post("/inpaint", json=body), 422)["detail"]
    pndm = sd_body(data_url(Image.fromarray(PHOTO)), data_url(mask), sd_sampler="PNDM")
    assert "PNDM" in is_error(api.post("/inpaint", json=pndm), 400)["detail"]
    api.post("/model", json={"name": "exemplar"})
