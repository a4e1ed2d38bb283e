"""Reading a request's images (through the bridge's one image loader) and building the job of each API.

Every image field takes an ``http(s)`` URL, bare base64 or a ``data:`` URI (any MIME type), or in the old
API's form a file part; v2.5's ``''``, ``None``, ``null``, ``string`` and ``none`` mean "no image". Sizes:
``IB_MAX_IMAGE_BYTES`` / ``IB_MAX_IMAGE_PIXELS`` (upstream has no limit; the bridge keeps its own).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PIL import Image

from ...errors import BridgeError
from ...server.images import ImageLimits
from .errors import invalid
from .fields import NO_IMAGE
from .job import InpaintJob
from .requests_v05 import ImgInpaintOrOutpaintRequestJson
from .requests_v25 import CommonRequest

Loader = Callable[..., Awaitable[Image.Image]]


def limits(max_bytes: int, max_pixels: int) -> ImageLimits:
    return ImageLimits(max_bytes=max_bytes, max_pixels=max_pixels, max_side=16384)


async def load_image(
    load: Loader, value: str | bytes | None, field: str, lim: ImageLimits, *, required: bool = False
) -> Image.Image | None:
    """The decoded image of a request field; None for "no image" (an error when ``required``)."""
    if value is None or (isinstance(value, str) and value.strip() in NO_IMAGE) or value == b"":
        if required:
            raise invalid(field, f"{field} is required: an image as a URL, base64 or a data: URI")
        return None
    try:
        return await load(value, lim, what=field, allow_url=True)
    except BridgeError as exc:
        exc.info.details.setdefault("field", field)
        raise


def v25_job(req: CommonRequest, image: Image.Image, mask: Image.Image | None) -> InpaintJob:
    return InpaintJob(
        image=image,
        mask=mask,
        image_field="inpaint_input_image",
        mask_field="inpaint_mask_image_upload",
        invert_mask=False,  # upstream's pre-processor forces invert_mask_checkbox off
        prompt=req.prompt,
        additional_prompt=req.inpaint_additional_prompt,
        negative_prompt=req.negative_prompt,
        outpaint=tuple(dict.fromkeys(req.outpaint_selections)),
        distances=tuple((list(req.outpaint_distance) + [0, 0, 0, 0])[:4]),
        strength=req.inpaint_strength,
        respective_field=req.inpaint_respective_field,
        erode_or_dilate=req.inpaint_erode_or_dilate,
        image_number=req.image_number,
        seed=req.image_seed,
        disable_seed_increment=req.disable_seed_increment,
        performance=req.performance_selection,
        overwrite_step=req.overwrite_step,
        guidance_scale=req.guidance_scale,
        sampler=req.sampler_name,
        scheduler=req.scheduler_name,
        base_model=req.base_model_name,
        loras=list(req.loras),
        vae_name=req.vae_name,
        clip_skip=req.clip_skip,
        inpaint_engine=req.inpaint_engine,
    )


def v05_job(req: ImgInpaintOrOutpaintRequestJson, image: Image.Image, mask: Image.Image | None) -> InpaintJob:
    adv = req.advanced_params
    return InpaintJob(
        image=image,
        mask=mask,
        image_field="input_image",
        mask_field="input_mask",
        invert_mask=adv.invert_mask_checkbox,
        prompt=req.prompt,
        additional_prompt=req.inpaint_additional_prompt,
        negative_prompt=req.negative_prompt,
        outpaint=tuple(dict.fromkeys(req.outpaint_selections)),
        distances=(
            req.outpaint_distance_left,
            req.outpaint_distance_top,
            req.outpaint_distance_right,
            req.outpaint_distance_bottom,
        ),
        strength=adv.inpaint_strength,
        respective_field=adv.inpaint_respective_field,
        erode_or_dilate=adv.inpaint_erode_or_dilate,
        image_number=req.image_number,
        seed=req.image_seed,
        disable_seed_increment=adv.disable_seed_increment,
        performance=req.performance_selection,
        overwrite_step=adv.overwrite_step,
        guidance_scale=req.guidance_scale,
        sampler=adv.sampler_name,
        scheduler=adv.scheduler_name,
        base_model=req.base_model_name,
        loras=list(req.loras),
        vae_name=adv.vae_name,
        clip_skip=adv.clip_skip,
        inpaint_engine=adv.inpaint_engine,
    )
