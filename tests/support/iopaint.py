"""What IOPaint's clients send and get: data URLs, the web UI's yellow brush masks, IOPaint's mask rule."""

import base64
import io

import numpy as np
from PIL import Image, ImageDraw

BRUSH = (255, 205, 0, 187)  # the web UI's #ffcc00bb as its canvas exports it
OVERLAY = (255, 203, 0, 186)  # masks IOPaint sends the web UI


def encode(image: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **kw)
    return buf.getvalue()


def data_url(image: Image.Image | bytes, fmt: str = "PNG", mime: str = "application/octet-stream") -> str:
    raw = image if isinstance(image, bytes) else encode(image, fmt)
    return f"data:{mime};base64,{base64.b64encode(raw).decode()}"


def brush_mask(size: tuple[int, int], points: list[tuple[int, int]], width: int = 24) -> Image.Image:
    """A stroke as the web UI paints it: yellow on transparent, with faint anti-aliased edge pixels."""
    w, h = size
    mask = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(mask)
    draw.line(points, fill=BRUSH, width=width, joint="curve")
    for x, y in points:
        r = width // 2
        draw.ellipse((x - r, y - r, x + r, y + r), fill=BRUSH)
    edge = np.asarray(mask).copy()
    solid = edge[..., 3] > 0
    ring = np.zeros_like(solid)
    ring[1:, :] |= solid[:-1, :]
    ring[:-1, :] |= solid[1:, :]
    ring &= ~solid
    edge[ring] = (255, 213, 0, 18)  # low alpha, still yellow: masked by IOPaint's rule (alpha ignored)
    return Image.fromarray(edge)


def masked(mask: Image.Image | np.ndarray) -> np.ndarray:
    """IOPaint's rule: greyscale (PIL L, alpha ignored) > 127."""
    image = mask if isinstance(mask, Image.Image) else Image.fromarray(mask)
    return np.asarray(image.convert("L")) > 127


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def frontend_body(image, mask, **settings) -> dict:
    """What the web UI posts to /inpaint with its default settings (contracts/iopaint.md 5.3)."""
    return {
        "image": image,
        "mask": mask,
        "ldm_steps": 30,
        "ldm_sampler": "ddim",
        "zits_wireframe": True,
        "cv2_flag": "INPAINT_NS",
        "cv2_radius": 5,
        "hd_strategy": "Crop",
        "hd_strategy_crop_triger_size": 640,
        "hd_strategy_crop_margin": 128,
        "hd_trategy_resize_imit": 2048,
        "prompt": "",
        "negative_prompt": "out of frame, lowres, error, cropped, worst quality",
        "use_croper": False,
        "croper_x": -96,
        "croper_y": -136,
        "croper_height": 512,
        "croper_width": 512,
        "use_extender": False,
        "extender_x": 0,
        "extender_y": 0,
        "extender_height": 200,
        "extender_width": 300,
        "sd_mask_blur": 12,
        "sd_strength": 1,
        "sd_steps": 50,
        "sd_guidance_scale": 7.5,
        "sd_sampler": "DPM++ 2M",
        "sd_seed": -1,
        "sd_match_histograms": False,
        "sd_lcm_lora": False,
        "paint_by_example_example_image": None,
        "p2p_image_guidance_scale": 1.5,
        "enable_controlnet": False,
        "controlnet_conditioning_scale": 0.4,
        "controlnet_method": "",
        "enable_brushnet": False,
        "brushnet_method": "random_mask",
        "brushnet_conditioning_scale": 1,
        "enable_powerpaint_v2": False,
        "powerpaint_task": "text-guided",
        **settings,
    }
