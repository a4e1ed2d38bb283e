"""The placement policy checked on a real model in-process: what a CPU-only ComfyUI can show of it."""


def _devices(module) -> set:
    return {t.device for t in (*module.parameters(), *module.buffers())}


def assert_placed_by_comfyui(held, run) -> None:
    """``held``'s weights rest on the offload device; ``run()`` (one real node run) registers them with ComfyUI's
    memory manager, loaded whole on the compute device; ``unload_all_models`` (what ``/free`` with
    ``unload_models`` calls) and ``free_memory`` (what ComfyUI calls before loading a sampler's model) move them
    back to the offload device and off ComfyUI's list."""
    import comfy.model_management as mm

    patcher, network = held.patcher, held.model.network

    def registered() -> bool:
        return any(model is patcher for model in mm.loaded_models())

    mm.unload_all_models()
    assert not registered() and _devices(network) == {patcher.offload_device}
    run()
    assert registered(), "a run must load the model through ComfyUI's memory manager"
    assert patcher.loaded_size() == patcher.model_size() == held.memory_bytes() > 0
    assert _devices(network) == {patcher.load_device}
    mm.unload_all_models()
    assert not registered() and patcher.loaded_size() == 0 and _devices(network) == {patcher.offload_device}
    run()
    freed = mm.free_memory(1e30, patcher.load_device)
    assert any(loaded.model is patcher for loaded in freed) and not registered()
    assert _devices(network) == {patcher.offload_device}
