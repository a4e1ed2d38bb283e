"""Facts about a torch module the placement policy needs: what it weighs and where its weights are."""

import torch


def memory_bytes(module: torch.nn.Module) -> int:
    """Parameters and buffers (persistent or not): what moving the module to a device costs there."""
    return sum(t.numel() * t.element_size() for t in (*module.parameters(), *module.buffers()))


def weights_device(module: torch.nn.Module) -> torch.device:
    """Where the module's weights are, so inputs go there too. A module with no tensors of its own (a frozen
    TorchScript file: its constants stay where they were loaded, the CPU) runs on the CPU."""
    for tensor in (*module.parameters(), *module.buffers()):
        return tensor.device
    return torch.device("cpu")
