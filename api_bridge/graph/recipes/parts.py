"""Graph fragments shared by recipes: one per task part (mask picture, mask adjust, results)."""

from __future__ import annotations

from ...tasks.parts import MaskAdjust, MaskPicture
from .. import node_ids as N  # noqa: N812
from ..builder import Graph, ModelNotInstalledError, Output


def mask_from_picture(g: Graph, pic: MaskPicture) -> Output:
    """The contract's mask picture as a 0/1 MASK (1 = masked) by its rule."""
    load = g.load_image(pic.image.blob)
    # LoadImage gives RGB plus MASK = 1 - alpha; the alpha rule needs alpha itself.
    alpha = g.add(N.INVERT_MASK, mask=load["MASK"]).out(0) if pic.rule == "alpha" else None
    node = g.add(
        N.MASK_FROM_IMAGE,
        image=load["IMAGE"],
        rule=pic.rule,
        threshold=pic.threshold,
        invert=pic.invert,
        alpha=alpha,
    )
    return node.out(0)


def adjust_mask(g: Graph, mask: Output, adj: MaskAdjust, *, feather: bool = True) -> Output:
    """Clean-up, grow/shrink, feather, invert — each node only when the part asks for it."""
    if adj.min_island_area or adj.fill_holes:
        mask = g.add(N.MASK_CLEANUP, mask=mask, min_island_area=adj.min_island_area, fill_holes=adj.fill_holes).out(0)
    if adj.grow:
        mask = g.add(N.MASK_GROW, mask=mask, radius=adj.grow, kernel=adj.kernel).out(0)
    if feather and adj.feather:
        mask = g.add(N.MASK_FEATHER, mask=mask, radius=adj.feather).out(0)
    if adj.invert:
        mask = g.add(N.INVERT_MASK, mask=mask).out(0)
    return mask


def image_result(g: Graph, name: str, image: Output) -> None:
    """Result image via PreviewImage: written to ComfyUI's temp folder, read back over /view."""
    g.result(name, g.add(N.PREVIEW_IMAGE, images=image))


def mask_result(g: Graph, name: str, mask: Output) -> None:
    image_result(g, name, g.add(N.MASK_TO_IMAGE, mask=mask).out(0))


def require_installed(g: Graph, node: str, input_name: str, value: str, *, kind: str, field: str, folder: str) -> None:
    """Refuse a model file this ComfyUI does not list for ``node.input_name``, naming the task field and the folder."""
    if node not in g.object_info:
        return  # g.add says the node itself is missing
    installed = [c for c in g.object_info.spec(node).inputs[input_name].choices or () if isinstance(c, str)]
    if value not in installed:
        shown = ", ".join(map(repr, installed[:12])) or "none"
        raise ModelNotInstalledError(
            f"{field}: {value!r} is not installed on this ComfyUI (models/{folder}); installed: {shown}",
            kind=kind,
            name=value,
            installed=installed,
            field=field,
            node_type=node,
        )
