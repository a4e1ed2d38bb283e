"""Registers this pack's model folders with ComfyUI before any node imports.

Each folder lives under ComfyUI's ``models/`` (and in any ``extra_model_paths.yaml``
entry of the same name) and lists only files with the extensions given here.
"""

import os

import folder_paths

# folder name -> extensions its loaders accept
MODEL_FOLDERS: dict[str, set[str]] = {
    "sams": {".pth", ".pt", ".safetensors", ".onnx"},  # SAM / SAM-HQ / MobileSAM, ONNX encoder+decoder pairs
    "rembg": {".onnx"},  # background / clothing segmentation sessions
    "grounding-dino": {".safetensors", ".bin", ".pth", ".json"},  # text-prompted detection (HF folders)
    "inpaint": {".pt", ".pth", ".safetensors", ".ckpt"},  # LaMa, MAT, MI-GAN erase models
    "ocr": {".onnx"},  # text-region detectors for erase-text
    "fonts": {".ttf", ".otf", ".ttc"},  # fonts for visible watermarks (CJK + Latin)
}


def register() -> None:
    base = folder_paths.models_dir
    for name, extensions in MODEL_FOLDERS.items():
        default_dir = os.path.join(base, name)
        if name in folder_paths.folder_names_and_paths:
            paths, known = folder_paths.folder_names_and_paths[name]
            if default_dir not in paths:
                paths.append(default_dir)
            folder_paths.folder_names_and_paths[name] = (paths, set(known) | extensions)
        else:
            folder_paths.folder_names_and_paths[name] = ([default_dir], set(extensions))
