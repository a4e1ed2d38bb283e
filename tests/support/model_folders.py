"""Extra ComfyUI model folders for in-process node tests."""

import contextlib


@contextlib.contextmanager
def extra_model_folder(folder_name: str, path):
    """``path`` listed as one more ``models/<folder_name>`` folder while the block runs (ComfyUI imported)."""
    import folder_paths  # ComfyUI's: importable once the comfy_nodes fixture has run

    registered, exts = folder_paths.folder_names_and_paths[folder_name]
    folder_paths.folder_names_and_paths[folder_name] = ([*registered, str(path)], exts)
    try:
        yield
    finally:
        folder_paths.folder_names_and_paths[folder_name] = (registered, exts)
