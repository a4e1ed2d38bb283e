"""Every ComfyUI node class a recipe uses, in one place (core nodes and this pack's)."""

# ComfyUI core
LOAD_IMAGE = "LoadImage"
SAVE_IMAGE = "SaveImage"
MASK_TO_IMAGE = "MaskToImage"
INVERT_MASK = "InvertMask"
IMAGE_TO_MASK = "ImageToMask"

# inpaint-bridge
MASK_FROM_IMAGE = "IB_MaskFromImage"
MASK_GROW = "IB_MaskGrow"
MASK_FEATHER = "IB_MaskFeather"
MASK_STATISTICS = "IB_MaskStatistics"
SAM_LOADER = "IB_SAMLoader"
SAM_SEGMENT = "IB_SAMSegment"
REMBG_LOADER = "IB_RembgLoader"
REMOVE_BACKGROUND = "IB_RemoveBackground"
ERASE = "IB_Erase"
TEXT_WATERMARK = "IB_TextWatermark"
ERASE_MODEL_LOADER = "IB_EraseModelLoader"
