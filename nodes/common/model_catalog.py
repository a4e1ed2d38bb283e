"""The catalog of well-known weights the models command downloads, and where each file goes.

Pure data, like ``default_weights`` (which holds what the set-up takes from the package
registries). Each file names its official URL, the ComfyUI model folder and the file name
our loaders expect, its exact size and hashes where a listing gives them, and where those
figures come from. A file with neither sha256 nor md5 is unverifiable: the command refuses
it unless asked (``--allow-unverified``). The listing route matches installed files to
entries by file name (``entry_for_file``).
"""

from collections.abc import Iterable
from dataclasses import dataclass

# Listing kinds (``GET /inpaint-bridge/models``) an entry's files show up under.
KINDS = ("checkpoints", "erase_models", "inpaint_patches", "sam", "rembg", "grounding_dino")


@dataclass(frozen=True)
class CatalogFile:
    folder: str  # ComfyUI model folder name (models/<folder>/, or an extra_model_paths.yaml entry)
    path: str  # path inside that folder, as our loaders expect it ("/"-separated, at most a sub-folder)
    url: str  # official download URL
    size: int | None  # exact bytes; None where no listing gives it
    sha256: str | None
    md5: str | None  # where a publisher pins only an md5 (IOPaint, rembg), it is checked too
    source: str  # where the size and hashes come from

    @property
    def verifiable(self) -> bool:
        return bool(self.sha256 or self.md5)


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    kind: str  # one of KINDS
    description: str
    license: str
    homepage: str
    files: tuple[CatalogFile, ...]
    # For checkpoints whose format cannot be inspected cheaply (.ckpt): what the publisher says they are.
    family: str | None = None
    inpainting: bool | None = None

    @property
    def verifiable(self) -> bool:
        return all(f.verifiable for f in self.files)

    @property
    def size(self) -> int | None:
        sizes = [f.size for f in self.files]
        return None if None in sizes else sum(sizes)


def _file(folder, path, url, size, sha256=None, md5=None, source="") -> CatalogFile:
    return CatalogFile(folder, path, url, size, sha256, md5, source)


_SANSTER = "https://github.com/Sanster/models/releases/download"
_REMBG = "https://github.com/danielgatis/rembg/releases/download/v0.0.0"
_SAM = "https://dl.fbaipublicfiles.com/segment_anything"
_HF = "https://huggingface.co"
_DINO_REVISION = "c254d1f282bf348ab7f5a27d5cf90531eeba69be"  # the commit whose model.safetensors is 1a2412ef...

_IOPAINT_MD5 = "md5 as pinned by IOPaint ({})"
_SAM_MIRRORS = (
    "; sha256 and size: Meta publishes none; the equal values in the Hugging Face LFS pointers of re-uploads "
    "(mashb1t/misc, the copy Fooocus 2.5 downloads in modules/config.py; netradrishti/sam) and in SimpleSDXL's "
    "models_info.py"
)
_REMBG_MIRROR = (
    "md5 as pinned by rembg (rembg/sessions/{}.py); sha256 and size: rembg publishes none; the LFS pointer of the "
    "Hugging Face re-upload tomjackson2023/rembg (commit cd3a3d6)"
)


def _sam(variant: str, stem: str, size: int, sha256: str, md5: str) -> CatalogEntry:
    return CatalogEntry(
        name=f"sam-{variant.replace('_', '-')}",
        kind="sam",
        description=f"Segment Anything {variant} (Meta), run by segment-anything through IB_SAMLoader",
        license="Apache-2.0",
        homepage="https://github.com/facebookresearch/segment-anything",
        files=(
            _file(
                "sams",
                f"{stem}.pth",
                f"{_SAM}/{stem}.pth",
                size,
                sha256,
                md5,
                _IOPAINT_MD5.format("iopaint/plugins/interactive_seg.py") + _SAM_MIRRORS,
            ),
        ),
    )


def _sam_hq(variant: str, size: int, sha256: str, md5: str) -> CatalogEntry:
    stem = f"sam_hq_{variant}"
    return CatalogEntry(
        name=f"sam-hq-{variant.replace('_', '-')}",
        kind="sam",
        description=f"SAM-HQ {variant} (ETH VIS group); IB_SAMLoader runs its SAM weights, the HQ heads unused",
        license="Apache-2.0",
        homepage="https://github.com/SysCV/sam-hq",
        files=(
            _file(
                "sams",
                f"{stem}.pth",
                f"{_HF}/lkeab/hq-sam/resolve/main/{stem}.pth",
                size,
                sha256,
                md5,
                "sha256 and size: the publisher's LFS pointer (lkeab/hq-sam); "
                + _IOPAINT_MD5.format("iopaint/plugins/interactive_seg.py"),
            ),
        ),
    )


def _rembg(name: str, session: str, size: int | None, sha256: str, md5: str, license: str, what: str):
    return CatalogEntry(
        name=name,
        kind="rembg",
        description=f"rembg {what}, for IB_RembgLoader",
        license=license,
        homepage="https://github.com/danielgatis/rembg",
        files=(
            _file("rembg", f"{name}.onnx", f"{_REMBG}/{name}.onnx", size, sha256, md5, _REMBG_MIRROR.format(session)),
        ),
    )


def _dino(path: str, size: int | None = None, sha256: str | None = None, source: str = "") -> CatalogFile:
    url = f"{_HF}/IDEA-Research/grounding-dino-tiny/resolve/{_DINO_REVISION}/{path}"
    return _file("grounding-dino", f"grounding-dino-tiny/{path}", url, size, sha256, None, source)


_DINO_UNLISTED = "no hash published for this small file (not in LFS); pinned only by the revision in the URL"

CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        name="lama",
        kind="erase_models",
        description="Big LaMa as IOPaint uses it (TorchScript); the default erase model once installed",
        license="Apache-2.0",
        homepage="https://github.com/advimman/lama",
        files=(
            _file(
                "inpaint",
                "big-lama.pt",
                f"{_SANSTER}/add_big_lama/big-lama.pt",
                205_669_692,
                "344c77bbcb158f17dd143070d1e789f38a66c04202311ae3a258ef66667a9ea9",
                "e3aa4aaa15225a33ec84f9f4bc47e500",
                _IOPAINT_MD5.format("iopaint/model/lama.py LAMA_MODEL_MD5")
                + "; sha256 and size: the release lists none; the equal LFS pointers of Hugging Face re-uploads "
                "(aaronb/remove_anything, signature-ai/big-lama, gaspardbruno/BigLama) and a third party's "
                "measurement of a download that matched IOPaint's md5",
            ),
        ),
    ),
    CatalogEntry(
        name="lama-safetensors",
        kind="erase_models",
        description="Big LaMa as a half-precision state dict (lllyasviel's fooocus_lama), loaded through spandrel",
        license="Apache-2.0 (LaMa weights; the repository is tagged OpenRAIL)",
        homepage="https://huggingface.co/lllyasviel/fooocus_inpaint",
        files=(
            _file(
                "inpaint",
                "fooocus_lama.safetensors",
                f"{_HF}/lllyasviel/fooocus_inpaint/resolve/main/fooocus_lama.safetensors",
                102_218_542,
                "9cca32dda6b2e8d12d150f4e39087cea44c1fff9d799e71f23b65e7b065f18b2",
                None,
                "the publisher's LFS pointer (lllyasviel/fooocus_inpaint commit 079b28f)",
            ),
        ),
    ),
    CatalogEntry(
        name="migan",
        kind="erase_models",
        description="MI-GAN 512 (Picsart AI Research) as IOPaint's TorchScript migan_traced.pt",
        license="MIT",
        homepage="https://github.com/Picsart-AI-Research/MI-GAN",
        files=(
            _file(
                "inpaint",
                "migan_traced.pt",
                f"{_SANSTER}/migan/migan_traced.pt",
                None,
                None,
                "76eb3b1a71c400ee3290524f7a11b89c",
                _IOPAINT_MD5.format("iopaint/model/mi_gan.py MIGAN_MODEL_MD5") + "; no size or sha256 is listed",
            ),
        ),
    ),
    CatalogEntry(
        name="mat",
        kind="erase_models",
        description="MAT Places 512 generator (the original weights IOPaint uses), loaded through spandrel",
        license="CC-BY-NC-4.0 (MAT; non-commercial)",
        homepage="https://github.com/fenglinglwb/MAT",
        files=(
            _file(
                "inpaint",
                "Places_512_FullData_G.pth",
                f"{_SANSTER}/add_mat/Places_512_FullData_G.pth",
                None,
                None,
                "8ca927835fa3f5e21d65ffcb165377ed",
                _IOPAINT_MD5.format("iopaint/model/mat.py MAT_MODEL_MD5") + "; no size or sha256 is listed",
            ),
        ),
    ),
    CatalogEntry(
        name="mat-fp16",
        kind="erase_models",
        description="MAT Places 512 converted to fp16 safetensors by Acly (half the size; results differ slightly)",
        license="CC-BY-NC-4.0 (MAT; non-commercial)",
        homepage="https://huggingface.co/Acly/MAT",
        files=(
            _file(
                "inpaint",
                "MAT_Places512_G_fp16.safetensors",
                f"{_HF}/Acly/MAT/resolve/main/MAT_Places512_G_fp16.safetensors",
                125_280_278,
                "309dd6ce6e04034dc4b6b15c7bd2a4844d158e03eb2a139e0eca6b366e40c0de",
                None,
                "the publisher's LFS pointer (Acly/MAT commit f8cc47f); the same sha256 is pinned in "
                "krita-ai-diffusion's ai_diffusion/presets/models.json",
            ),
        ),
    ),
    _sam(
        "vit_b",
        "sam_vit_b_01ec64",
        375_042_383,
        "ec2df62732614e57411cdcf32a23ffdf28910380d03139ee0f4fcbe91eb8c912",
        "01ec64d29a2fca3f0661936605ae66f8",
    ),
    _sam(
        "vit_l",
        "sam_vit_l_0b3195",
        1_249_524_607,
        "3adcc4315b642a4d2101128f611684e8734c41232a17c648ed1693702a49a622",
        "0b3195507c641ddb6910d2bb5adee89c",
    ),
    _sam(
        "vit_h",
        "sam_vit_h_4b8939",
        2_564_550_879,
        "a7bf3b02f3ebf1267aba913ff637d9a2d5c33d3173bb679e46d9f338c26f262e",
        "4b8939a88964f0f4ff5f5b2642c598a6",
    ),
    _sam_hq(
        "vit_b",
        379_335_069,
        "14a9d662cd6f5a9c2dba6d40ab0058d88d287e4a18fd6fdc6ad5fb1a3fdeaa57",
        "c6b8953247bcfdc8bb8ef91e36a6cacc",
    ),
    _sam_hq(
        "vit_l",
        1_254_865_805,
        "e1a6c385d62bf005ded91a54d5ec55c985cfc4103ef89c08d90f39f04934c343",
        "08947267966e4264fb39523eccc33f86",
    ),
    _sam_hq(
        "vit_h",
        2_570_940_653,
        "a7ac14a085326d9fa6199c8c698c4f0e7280afdbb974d2c4660ec60877b45e35",
        "3560f6b6a5a6edacd814a1325c39640a",
    ),
    CatalogEntry(
        name="mobilesam",
        kind="sam",
        description="MobileSAM as an ONNX pair (Acly's export: image encoder + single-mask SAM decoder)",
        license="Apache-2.0 (MobileSAM weights); MIT (Acly's ONNX export)",
        homepage="https://huggingface.co/Acly/MobileSAM",
        files=tuple(
            _file(
                "sams",
                f"mobilesam_{part}.onnx",
                f"{_HF}/Acly/MobileSAM/resolve/main/{remote}",
                size,
                sha256,
                None,
                "the publisher stores them in Xet with no hash in our sources; bytes and sha256 as pinned by the "
                "unchanged mirror t9749/mobilesam-onnx (its model card)",
            )
            for part, remote, size, sha256 in (
                (
                    "encoder",
                    "mobile_sam_image_encoder.onnx",
                    28_157_093,
                    "580f5fb648ea1062c0aabc26217aed56921985f03f0cbbd852bba81d760cc749",
                ),
                (
                    "decoder",
                    "sam_mask_decoder_single.onnx",
                    16_501_323,
                    "93915fc7c993ab9d59ab8c9ccd3bce37f7509c81ab4150a74abd4d2abbd8570d",
                ),
            )
        ),
    ),
    _rembg(
        "u2net",
        "u2net",
        175_997_641,
        "8d10d2f3bb75ae3b6d527c77944fc5e7dcd94b29809d47a739a7a728a912b491",
        "60024c5c889badc19c04ad937298a77b",
        "Apache-2.0",
        "U^2-Net general background removal",
    ),
    _rembg(
        "u2netp",
        "u2netp",
        4_574_861,
        "309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8",
        "8e83ca70e441ab06c318d82300c84806",
        "Apache-2.0",
        "U^2-Net lite (also installed by the set-up from PyPI)",
    ),
    _rembg(
        "u2net_human_seg",
        "u2net_human_seg",
        None,
        "01eb6a29a5c4d8edb30b56adad9bb3a2a0535338e480724a213e0acfd2d1c73c",
        "c09ddc2e0104f800e3e1bb4652583d1f",
        "Apache-2.0",
        "U^2-Net human segmentation",
    ),
    _rembg(
        "u2net_cloth_seg",
        "u2net_cloth_seg",
        176_194_565,
        "6d2cbc27bfbdc989e1fd325656d65902ecc6a3ccbe94b2d3655ec114efcb128e",
        "2434d1f3cb744e0e49386c906e5a08bb",
        "MIT (levindabhi/cloth-segmentation)",
        "clothing segmentation (upper / lower / full)",
    ),
    _rembg(
        "silueta",
        "silueta",
        44_173_029,
        "75da6c8d2f8096ec743d071951be73b4a8bc7b3e51d9a6625d63644f90ffeedb",
        "55e59e0d8062d2f5d013f4725ee84782",
        "not stated by rembg (a reduced U^2-Net)",
        "silueta (U^2-Net reduced to 43 MB)",
    ),
    _rembg(
        "isnet-general-use",
        "dis_general_use",
        178_648_008,
        "60920e99c45464f2ba57bee2ad08c919a52bbf852739e96947fbb4358c0d964a",
        "fc16ebd8b0c10d971d3513d564d01e29",
        "Apache-2.0 (DIS)",
        "IS-Net general use",
    ),
    _rembg(
        "isnet-anime",
        "dis_anime",
        176_069_933,
        "f15622d853e8260172812b657053460e20806f04b9e05147d49af7bed31a6e99",
        "6f184e756bb3bd901c8849220a83e38e",
        "Apache-2.0 (SkyTNT/anime-segmentation)",
        "IS-Net anime character segmentation",
    ),
    CatalogEntry(
        name="grounding-dino-tiny",
        kind="grounding_dino",
        description="GroundingDINO tiny (IDEA Research) in Hugging Face format, for IB_GroundingDinoLoader",
        license="Apache-2.0",
        homepage="https://huggingface.co/IDEA-Research/grounding-dino-tiny",
        files=(
            _dino(
                "model.safetensors",
                None,
                "1a2412ef99bd74bcd3c2a246fa1e48581f8889a1300c9051974741314fc042f3",
                "sha256: the publisher's LFS pointer at that revision (exact size not listed)",
            ),
            *(
                _dino(name, source=_DINO_UNLISTED)
                for name in (
                    "config.json",
                    "preprocessor_config.json",
                    "special_tokens_map.json",
                    "tokenizer.json",
                    "tokenizer_config.json",
                    "vocab.txt",
                )
            ),
        ),
    ),
    CatalogEntry(
        name="sd15-inpainting",
        kind="checkpoints",
        description="Stable Diffusion 1.5 inpainting (RunwayML), the 9-channel UNet checkpoint",
        license="CreativeML-OpenRAIL-M",
        homepage="https://huggingface.co/stable-diffusion-v1-5/stable-diffusion-inpainting",
        files=(
            _file(
                "checkpoints",
                "sd-v1-5-inpainting.ckpt",
                f"{_HF}/stable-diffusion-v1-5/stable-diffusion-inpainting/resolve/main/sd-v1-5-inpainting.ckpt",
                4_265_437_280,
                "c6bbc15e3224e6973459ba78de4998b80b50112b0ae5b5c67113d56b4e366b19",
                None,
                "sha256: the publisher's LFS pointer; size: the LFS pointers of re-uploads with that sha256 "
                "(e.g. mirroring/horde_models, from runwayml/stable-diffusion-inpainting)",
            ),
        ),
        family="sd15",
        inpainting=True,
    ),
    CatalogEntry(
        name="sdxl-inpainting",
        kind="checkpoints",
        description="SDXL 1.0 inpainting 0.1 (the diffusers team's model) as one single-file checkpoint (wangqyqq)",
        license="OpenRAIL++-M",
        homepage="https://huggingface.co/diffusers/stable-diffusion-xl-1.0-inpainting-0.1",
        files=(
            _file(
                "checkpoints",
                "sd_xl_base_1.0_inpainting_0.1.safetensors",
                f"{_HF}/wangqyqq/sd_xl_base_1.0_inpainting_0.1.safetensors/resolve/main/"
                "sd_xl_base_1.0_inpainting_0.1.safetensors",
                6_938_069_944,
                "fe1b97fe6544814eb6fc8ce53f04ad8d339ec6946b58b0afd566fcc47813fa8a",
                None,
                "the publisher's LFS pointer (commit d3803f2)",
            ),
        ),
        family="sdxl",
        inpainting=True,
    ),
    CatalogEntry(
        name="fooocus-inpaint",
        kind="inpaint_patches",
        description="Fooocus inpaint head + patch v2.6 for SDXL checkpoints (models/inpaint, as Acly's nodes use them)",
        license="OpenRAIL (as tagged by the publisher)",
        homepage="https://huggingface.co/lllyasviel/fooocus_inpaint",
        files=(
            _file(
                "inpaint",
                "fooocus_inpaint_head.pth",
                f"{_HF}/lllyasviel/fooocus_inpaint/resolve/main/fooocus_inpaint_head.pth",
                52_602,
                "32f7f838e0c6d8f13437ba8411e77a4688d77a2e34df8857e4ef4d51f6b97692",
                None,
                "sha256: the publisher's LFS pointer (also pinned by krita-ai-diffusion's presets/models.json); "
                "size: SimpleSDXL's models_info.py",
            ),
            _file(
                "inpaint",
                "inpaint_v26.fooocus.patch",
                f"{_HF}/lllyasviel/fooocus_inpaint/resolve/main/inpaint_v26.fooocus.patch",
                1_323_362_033,
                "f8657a025104e22d70f9c060635d8e8c2196f433871a2f68dc40abd2171f0d59",
                None,
                "sha256: the publisher's LFS pointer (also pinned by krita-ai-diffusion); size: the LFS pointer of "
                "the re-upload fofr/comfyui with that sha256",
            ),
        ),
    ),
)


def by_name(entries: Iterable[CatalogEntry] = CATALOG) -> dict[str, CatalogEntry]:
    return {e.name: e for e in entries}


def entry_for_file(folder: str, path: str, entries: Iterable[CatalogEntry] = CATALOG) -> str | None:
    """The catalog name a file in a model folder matches: by its path there, else by its file name."""
    entry = matching_entry(folder, path, entries)
    return entry.name if entry else None


def matching_entry(folder: str, path: str, entries: Iterable[CatalogEntry] = CATALOG) -> CatalogEntry | None:
    path = path.replace("\\", "/")
    basename = path.rsplit("/", 1)[-1]
    by_basename = None
    for entry in entries:
        for f in entry.files:
            if f.folder != folder:
                continue
            if f.path == path:
                return entry
            if by_basename is None and f.path.rsplit("/", 1)[-1] == basename and "/" not in f.path:
                by_basename = entry
    return by_basename


def _checked_path(path: str) -> str:
    parts = path.replace("\\", "/").split("/")
    if path.startswith(("/", "\\")) or any(p in ("", ".", "..") for p in parts) or ":" in parts[0]:
        raise ValueError(f"catalog file path {path!r} must be relative inside its model folder (no '..')")
    return "/".join(parts)


def entries_from_json(data) -> list[CatalogEntry]:
    """Catalog entries from JSON of the same shape (a list of entries, each with a list of files): a private
    mirror's own catalog, or a test's. Raises ValueError naming what is wrong."""
    if not isinstance(data, list):
        raise ValueError("a catalog file holds a JSON list of entries")
    entries = []
    for i, item in enumerate(data):
        try:
            kind = item.get("kind", "erase_models")
            if kind not in KINDS:
                raise ValueError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
            files = tuple(
                CatalogFile(
                    folder=str(f["folder"]),
                    path=_checked_path(str(f["path"])),
                    url=str(f["url"]),
                    size=None if f.get("size") is None else int(f["size"]),
                    sha256=(f.get("sha256") or None),
                    md5=(f.get("md5") or None),
                    source=str(f.get("source", "")),
                )
                for f in item["files"]
            )
            if not files:
                raise ValueError("no files")
            entries.append(
                CatalogEntry(
                    name=str(item["name"]),
                    kind=kind,
                    description=str(item.get("description", "")),
                    license=str(item.get("license", "")),
                    homepage=str(item.get("homepage", "")),
                    files=files,
                )
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise ValueError(f"catalog entry {i}: {exc}") from None
    return entries
