"""IB_ScaledNoise: core's RandomNoise times a factor, for A1111's "initial noise multiplier".

A1111 img2img multiplies the initial noise before it is added to the encoded image
(``initial_noise_multiplier``, Novita's field too); ComfyUI core has no node for it. The
NOISE this node gives is exactly core RandomNoise's (same seed, same batch indices) times
``multiplier``, for SamplerCustomAdvanced. IB_Inpaint uses it when its ``noise_multiplier`` is not 1.
"""

import comfy.sample

from ._comfy import io, schema

MAX_MULTIPLIER = 2.0


class ScaledRandomNoise:
    """A NOISE object (what SamplerCustomAdvanced calls): seeded Gaussian noise scaled by ``multiplier``."""

    def __init__(self, seed: int, multiplier: float):
        self.seed = seed
        self.multiplier = multiplier

    def generate_noise(self, input_latent: dict):
        latent = input_latent["samples"]
        noise = comfy.sample.prepare_noise(latent, self.seed, input_latent.get("batch_index"))
        return noise * self.multiplier


class ScaledNoise(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_ScaledNoise",
            display_name="Random Noise (scaled)",
            category="inpaint/sampling",
            description=(
                "Core RandomNoise multiplied by a factor: A1111's 'initial noise multiplier' for img2img and "
                "inpainting (below 1 the sampler keeps more of the encoded image). Feed it to SamplerCustomAdvanced."
            ),
            search_aliases=["noise multiplier", "initial noise multiplier", "scaled noise", "img2img noise"],
            inputs=[
                io.Int.Input(
                    "noise_seed",
                    default=0,
                    min=0,
                    max=0xFFFFFFFFFFFFFFFF,
                    control_after_generate=True,
                    tooltip="Seed of the noise (the same noise as RandomNoise with this seed).",
                ),
                io.Float.Input(
                    "multiplier",
                    default=1.0,
                    min=0.0,
                    max=MAX_MULTIPLIER,
                    step=0.01,
                    tooltip="Factor on the noise; 1 is RandomNoise itself.",
                ),
            ],
            outputs=[io.Noise.Output("noise", tooltip="The scaled noise, for SamplerCustomAdvanced.")],
        )

    @classmethod
    def execute(cls, noise_seed, multiplier) -> io.NodeOutput:
        if not 0.0 <= multiplier <= MAX_MULTIPLIER:
            raise ValueError(f"multiplier must be within 0..{MAX_MULTIPLIER}, got {multiplier}")
        return io.NodeOutput(ScaledRandomNoise(noise_seed, multiplier))


NODES = [ScaledNoise]
