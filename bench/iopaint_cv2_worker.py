"""IOPaint 1.6.0's own /api/v1/inpaint work for its ``cv2`` model, run for ``bench/iopaint_api.py`` in IOPaint's venv.

Reads commands on stdin: ``run <request.json> <out file>``; answers ``<seconds>`` per run. A run is the body of
IOPaint's ``Api.api_inpaint`` without its HTTP layer: decode both base64 images, threshold the mask (127),
``OpenCV2`` under the request's HD strategy, re-attach alpha, encode in the input's format. Only IOPaint's
``model.opencv2`` / ``base`` / ``helper`` / ``schema`` are imported (its package ``__init__`` would import every
model it ships).
"""

import json
import os
import sys
import time
import types


def import_iopaint(src: str):
    sys.path.insert(0, src)
    package = types.ModuleType("iopaint.model")
    package.__path__ = [os.path.join(src, "iopaint", "model")]
    sys.modules["iopaint.model"] = package
    from iopaint import helper
    from iopaint.model.opencv2 import OpenCV2
    from iopaint.schema import InpaintRequest

    return helper, OpenCV2(device="cpu"), InpaintRequest


def main() -> None:
    import cv2
    import numpy as np
    from PIL import Image

    helper, model, request_type = import_iopaint(sys.argv[1])
    for line in sys.stdin:
        command, *args = line.split()
        if command == "quit":
            return
        with open(args[0]) as f:
            req = request_type(**json.load(f))
        start = time.perf_counter()
        image, alpha, infos, ext = helper.decode_base64_to_image(req.image)
        mask, _, _, _ = helper.decode_base64_to_image(req.mask, gray=True)
        mask = cv2.threshold(mask, 127, 255, cv2.THRESH_BINARY)[1]
        result = cv2.cvtColor(model(image, mask, req).astype(np.uint8), cv2.COLOR_BGR2RGB)
        data = helper.pil_to_bytes(Image.fromarray(helper.concat_alpha_channel(result, alpha)), ext, 95, infos)
        elapsed = time.perf_counter() - start
        with open(args[1], "wb") as f:
            f.write(data)
        print(f"{elapsed:.6f}", flush=True)


if __name__ == "__main__":
    main()
