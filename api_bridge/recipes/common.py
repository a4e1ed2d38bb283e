"""Recipe pieces shared by several task kinds."""

from ..graph import node_ids as ids
from ..graph.builder import GraphBuilder, Output
from ..tasks import Adjust, MaskSource

OUTPUT_PREFIX = "inpaint-bridge/out"


def load_mask(g: GraphBuilder, source: MaskSource) -> Output:
    picture = g.node(ids.LOAD_IMAGE, image=source.image)
    mask = g.node(
        ids.MASK_FROM_IMAGE, image=picture.out(0), rule=source.rule, threshold=source.threshold, invert=source.invert
    )
    return mask.out(0)


def adjust(g: GraphBuilder, mask: Output, how: Adjust, invert: bool = False) -> Output:
    if how.grow:
        mask = g.node(ids.MASK_GROW, mask=mask, radius=how.grow, kernel=how.kernel).out(0)
    if how.feather:
        mask = g.node(ids.MASK_FEATHER, mask=mask, radius=how.feather, direction="outer", falloff="smooth").out(0)
    if invert:
        mask = g.node(ids.INVERT_MASK, mask=mask).out(0)
    return mask


def save_mask(g: GraphBuilder, mask: Output) -> None:
    g.node(ids.SAVE_IMAGE, images=g.node(ids.MASK_TO_IMAGE, mask=mask).out(0), filename_prefix=OUTPUT_PREFIX)
