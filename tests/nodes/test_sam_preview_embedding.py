"""The editor's preview (nodes/common/sam_preview.py) and IB_SAMSegment share one embedding per picture:
after the editor has encoded a Load Image file, a queued run of the node only decodes."""

import importlib
import json
import os

import numpy as np

PICTURE = "ib_example_coffee.jpg"  # copied into ComfyUI's input folder by the pack when it loads


def test_a_run_after_the_preview_reuses_its_embedding(comfy_nodes, pack_module):
    sam = pack_module("mask_generate")
    package = sam.__name__.rsplit(".", 1)[0]
    preview_module = importlib.import_module(f"{package}.common.sam_preview")
    pictures = importlib.import_module(f"{package}.common.preview_pictures")
    cache = importlib.import_module(f"{package}.common.model_cache")
    prompts = importlib.import_module(f"{package}.common.sam_prompts")
    tensors = importlib.import_module(f"{package}.common.tensors")

    import folder_paths  # importable once ComfyUI is (the comfy_nodes fixture)

    path = os.path.join(folder_paths.get_input_directory(), PICTURE)
    picture = pictures.load_picture(path)
    (image, _mask) = comfy_nodes.LoadImage().load_image(PICTURE)
    assert np.array_equal(tensors.to_uint8_rgb(image[0]), picture), "the route sees the pixels LoadImage gives"

    (handle,) = sam.SAMLoader.execute(model_name=sam.sam_choices()[0]).args
    model_key, held = handle.load()
    backend = held.model  # the ONNX pair: no device placement
    cache.EMBEDDINGS.clear()
    points = [{"x": 290, "y": 190, "label": 1}]
    (prompt,) = prompts.parse_prompts(json.dumps(points), "[]", 1)
    shown = preview_module.preview(backend, model_key, picture, prompt, "best", 0)
    assert not shown.embedding_cached and shown.mask[190, 290]

    misses, hits = cache.EMBEDDINGS.misses, cache.EMBEDDINGS.hits
    mask = sam.SAMSegment.execute(sam_model=handle, image=image, points=json.dumps(points), boxes="[]").args[0]
    assert cache.EMBEDDINGS.misses == misses and cache.EMBEDDINGS.hits == hits + 1, "the node ran no encoder"
    assert np.array_equal(mask[0].numpy() > 0.5, shown.mask), "and made the mask the preview showed"
