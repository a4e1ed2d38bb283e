"""MI-GAN's inference generator, written for this pack in plain torch.

MI-GAN: "A Simple Baseline for Image Inpainting on Mobile Devices" (Sargsyan et al.,
Picsart AI Research, ICCV 2023; code and weights under the MIT licence). The network
is an encoder/decoder of depthwise-separable convolutions with skip connections and
StyleGAN2-style binomial up/down filtering; no mapping network, no attention.

Module, parameter and buffer names follow the official inference model, so the
released state dicts (``migan_256_places2.pt``, ``migan_256_ffhq.pt``,
``migan_512_places2.pt``) load with ``strict=True``; the resolution (256 or 512) is
read from the state dict. The official graph is fixed-size (its noise and
up-sampling constants are stored at each block's resolution): inputs must be
``resolution`` square.

Input ``[B, 4, R, R]``: ``cat(0.5 - hole, image * (1 - hole))`` with the image in
-1..1 and hole = 1 where pixels are missing; output ``[B, 3, R, R]`` in -1..1.
"""

import math
import re

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

# Every conv in MI-GAN is followed by leaky ReLU(0.2) scaled by sqrt(2) and clamped (StyleGAN2's "lrelu" bias_act).
_ACT_GAIN = math.sqrt(2.0)
_ACT_CLAMP = 256.0
_CHANNEL_BASE, _CHANNEL_MAX = 32768, 512


def channels_at(resolution: int) -> int:
    return min(_CHANNEL_BASE // resolution, _CHANNEL_MAX)


def activate(x: torch.Tensor) -> torch.Tensor:
    return (F.leaky_relu(x, 0.2) * _ACT_GAIN).clamp(-_ACT_CLAMP, _ACT_CLAMP)


def binomial_filter(channels: int, gain: float) -> torch.Tensor:
    """The [1,3,3,1]² low-pass kernel (sum = gain), one copy per channel for a depthwise conv."""
    taps = torch.tensor([1.0, 3.0, 3.0, 1.0])
    kernel = torch.outer(taps, taps)
    kernel = kernel * (gain / kernel.sum())
    return kernel.expand(channels, 1, 4, 4).clone()


class _Kernel(nn.Module):
    """Holds a fixed depthwise kernel under the name ``weight`` (the official files store it as ``*.filter.weight``)."""

    def __init__(self, channels: int, gain: float):
        super().__init__()
        self.register_buffer("weight", binomial_filter(channels, gain))


class Downsample(nn.Module):
    """Low-pass then keep every second pixel: a stride-2 depthwise conv with the binomial kernel."""

    def __init__(self, channels: int):
        super().__init__()
        self.filter = _Kernel(channels, gain=1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.filter.weight, stride=2, padding=1, groups=x.shape[1])


class Upsample(nn.Module):
    """Zero-stuffing ×2 then the binomial low-pass (gain 4), as one stride-2 transposed depthwise conv.

    ``filter_const`` is the official graph's zero-stuffing pattern at the output resolution; the
    transposed conv does the same without it, but the buffer stays so released files load strictly.
    """

    def __init__(self, channels: int, resolution: int):
        super().__init__()
        stuffing = torch.zeros(1, 1, resolution, resolution)
        stuffing[..., ::2, ::2] = 1.0
        self.register_buffer("filter_const", stuffing)
        self.filter = _Kernel(channels, gain=4.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # conv(pad(stuffed, 2 before / 1 after), k) == conv_transpose(x, flipped k, stride 2, padding 1)
        kernel = self.filter.weight.flip(2, 3)
        return F.conv_transpose2d(x, kernel, stride=2, padding=1, groups=x.shape[1])


class SeparableConv(nn.Module):
    """Depthwise 3×3 (+bias) → act → [down] → pointwise 1×1 → [up] → [+ fixed noise] → act."""

    def __init__(self, cin: int, cout: int, down: bool = False, up_to: int = 0, noise_at: int = 0):
        super().__init__()
        if noise_at:
            self.noise_strength = nn.Parameter(torch.zeros([]))
            self.register_buffer("noise_const", torch.randn(noise_at, noise_at))
        self.conv1 = nn.Conv2d(cin, cin, 3, padding=1, groups=cin)
        self.conv2 = nn.Conv2d(cin, cout, 1, bias=False)
        self.downsample = Downsample(cin) if down else None
        self.upsample = Upsample(cout, up_to) if up_to else None
        self.noisy = bool(noise_at)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = activate(self.conv1(x))
        if self.downsample is not None:
            x = self.downsample(x)
        x = self.conv2(x)
        if self.upsample is not None:
            x = self.upsample(x)
        if self.noisy:
            x = x + self.noise_const * self.noise_strength
        return activate(x)


class EncoderBlock(nn.Module):
    def __init__(self, cin: int, cout: int, from_rgb: bool, down: bool = True, in_channels: int = 4):
        super().__init__()
        self.fromrgb = nn.Conv2d(in_channels, cin, 1) if from_rgb else None
        self.conv1 = SeparableConv(cin, cin)
        self.conv2 = SeparableConv(cin, cout, down=down)

    def forward(self, x: torch.Tensor | None, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.fromrgb is not None:
            y = activate(self.fromrgb(image))
            x = y if x is None else x + y
        skip = self.conv1(x)  # the features the decoder adds back at this resolution
        return self.conv2(skip), skip


class Encoder(nn.Module):
    """Blocks ``b{R}`` … ``b8`` halve the resolution; ``b4`` keeps 4×4."""

    def __init__(self, resolution: int):
        super().__init__()
        self.resolutions = [resolution >> i for i in range(int(math.log2(resolution)) - 1)]  # R .. 4
        for i, res in enumerate(self.resolutions[:-1]):
            self.add_module(f"b{res}", EncoderBlock(channels_at(res), channels_at(res // 2), from_rgb=i == 0))
        self.b4 = EncoderBlock(channels_at(4), channels_at(4), from_rgb=False, down=False)

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, dict[int, torch.Tensor]]:
        x, skips = None, {}
        for res in self.resolutions:
            x, skips[res] = getattr(self, f"b{res}")(x, image)
        return x, skips


class SynthesisBlockFirst(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = SeparableConv(channels, channels)
        self.conv2 = SeparableConv(channels, channels)
        self.torgb = nn.Conv2d(channels, 3, 1)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.conv2(self.conv1(x) + skip)
        return x, self.torgb(x)


class SynthesisBlock(nn.Module):
    """Doubles the resolution; the RGB image is carried along (up-sampled) and refined at each scale."""

    def __init__(self, cin: int, cout: int, resolution: int):
        super().__init__()
        self.conv1 = SeparableConv(cin, cout, up_to=resolution, noise_at=resolution)
        self.conv2 = SeparableConv(cout, cout, noise_at=resolution)
        self.torgb = nn.Conv2d(cout, 3, 1)
        self.upsample = Upsample(3, resolution)

    def forward(self, x: torch.Tensor, skip: torch.Tensor, rgb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.conv2(self.conv1(x) + skip)
        return x, self.upsample(rgb) + self.torgb(x)


class Synthesis(nn.Module):
    def __init__(self, resolution: int):
        super().__init__()
        self.resolutions = [4 << i for i in range(int(math.log2(resolution)) - 1)]  # 4 .. R
        self.b4 = SynthesisBlockFirst(channels_at(4))
        for res in self.resolutions[1:]:
            self.add_module(f"b{res}", SynthesisBlock(channels_at(res // 2), channels_at(res), res))

    def forward(self, x: torch.Tensor, skips: dict[int, torch.Tensor]) -> torch.Tensor:
        x, rgb = self.b4(x, skips[4])
        for res in self.resolutions[1:]:
            x, rgb = getattr(self, f"b{res}")(x, skips[res], rgb)
        return rgb


class MIGAN(nn.Module):
    def __init__(self, resolution: int = 512):
        super().__init__()
        if resolution < 8 or resolution & (resolution - 1):
            raise ValueError(f"MI-GAN resolution must be a power of two ≥ 8, got {resolution}")
        self.resolution = resolution
        self.synthesis = Synthesis(resolution)  # registered first, like the official model (state-dict order)
        self.encoder = Encoder(resolution)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features, skips = self.encoder(x)
        return self.synthesis(features, skips)


_FROM_RGB = re.compile(r"^encoder\.b(\d+)\.fromrgb\.weight$")


def migan_resolution(state_dict) -> int | None:
    """The resolution of an official-layout MI-GAN state dict, or None when the keys are not MI-GAN's."""
    keys = set(state_dict.keys())
    for key in keys:
        match = _FROM_RGB.match(key)
        if match:
            res = int(match.group(1))
            if f"synthesis.b{res}.torgb.weight" in keys and "synthesis.b4.torgb.weight" in keys:
                return res
    return None


def load_migan(state_dict) -> MIGAN:
    """An eval-mode MI-GAN holding ``state_dict`` (strict: every official key, nothing else)."""
    resolution = migan_resolution(state_dict)
    if resolution is None:
        raise ValueError("not an MI-GAN state dict (no encoder.b<R>.fromrgb / synthesis.b<R>.torgb keys)")
    model = MIGAN(resolution)
    model.load_state_dict(state_dict, strict=True)
    return model.eval()
