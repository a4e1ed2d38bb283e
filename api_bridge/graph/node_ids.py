"""Every ComfyUI node class the bridge's recipes use, in one place.

Core ComfyUI nodes are called by their ids (never re-implemented); ``IB_*`` are this pack's.
The object_info fixture for tests is trimmed to :data:`ALL` and the node types the example workflows
use (scripts/capture_object_info.py).
"""

# ComfyUI core
LOAD_IMAGE = "LoadImage"
PREVIEW_IMAGE = "PreviewImage"
SAVE_IMAGE = "SaveImage"
IMAGE_TO_MASK = "ImageToMask"
MASK_TO_IMAGE = "MaskToImage"
INVERT_MASK = "InvertMask"
IMAGE_INVERT = "ImageInvert"
GROW_MASK = "GrowMask"
THRESHOLD_MASK = "ThresholdMask"
KSAMPLER = "KSampler"  # its sampler/scheduler lists check the A1111 name mapping (api_bridge/samplers.py)
CHECKPOINT_LOADER = "CheckpointLoaderSimple"
VAE_LOADER = "VAELoader"
LORA_LOADER = "LoraLoader"
CLIP_SET_LAST_LAYER = "CLIPSetLastLayer"
MASK_COMPOSITE = "MaskComposite"
# saved workflows (api_bridge/workflows/): image inputs and the output nodes whose results are returned
LOAD_IMAGE_MASK = "LoadImageMask"
MASK_PREVIEW = "MaskPreview"
PREVIEW_ANY = "PreviewAny"

# this pack: masks
MASK_STATISTICS = "IB_MaskStatistics"
MASK_FROM_IMAGE = "IB_MaskFromImage"
MASK_GROW = "IB_MaskGrow"
MASK_FEATHER = "IB_MaskFeather"
MASK_CLEANUP = "IB_MaskCleanup"
MASK_COMBINE = "IB_MaskCombine"

# this pack: segmentation
SAM_LOADER = "IB_SAMLoader"
SAM_SEGMENT = "IB_SAMSegment"
REMBG_LOADER = "IB_RembgLoader"
REMOVE_BACKGROUND = "IB_RemoveBackground"
GROUNDING_DINO_LOADER = "IB_GroundingDinoLoader"
TEXT_PROMPT_DETECT = "IB_TextPromptDetect"
BOXES_TO_MASK = "IB_BoxesToMask"

# this pack: erase
ERASE_MODEL_LOADER = "IB_EraseModelLoader"
ERASE = "IB_Erase"
TEXT_WATERMARK = "IB_TextWatermark"

# this pack: diffusion inpaint / outpaint
INPAINT = "IB_Inpaint"  # expands into crop → core conditioning + KSampler → stitch
FOOOCUS_INPAINT_LOADER = "IB_FooocusInpaintLoader"  # head + patch for IB_Inpaint's fooocus_inpaint
OUTPAINT_EXPAND = "IB_OutpaintExpand"

ALL: tuple[str, ...] = tuple(v for k, v in sorted(globals().items()) if k.isupper() and isinstance(v, str))
