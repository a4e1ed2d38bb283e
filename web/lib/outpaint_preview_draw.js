// Draws what POST /inpaint-bridge/outpaint/preview answered: the padded canvas (pre-filled, when the
// picture is known), the original's place on it, the mask (new area and the band fading into the
// original) and the part of the original that stays bit for bit. Every number drawn comes from
// the answer, i.e. from the node's own Python code: nothing here computes geometry of its own.

const MARGIN = 6;
const LABEL = 30; // two lines of text under the canvas
const COLOURS = {
  background: "#151515",
  canvas: "#3a3a3a",
  placeholder: "#5a5a5a",
  outline: "#e8e8e8",
  original: "#4dd0ff",
  kept: "#ffd24d",
  text: "#cfcfcf",
  error: "#ff8a80",
};
const MASK_ALPHA = 0.3;

/** Where the answer's canvas and boxes land in a view of width×height (CSS px): [x, y, w, h] each. */
export function layoutPreview(answer, width, height) {
  const { outpaint } = answer;
  const k = Math.max(0, Math.min((width - 2 * MARGIN) / outpaint.width, (height - LABEL - 2 * MARGIN) / outpaint.height));
  const ox = (width - outpaint.width * k) / 2;
  const oy = MARGIN;
  const box = (x0, y0, x1, y1) => [ox + x0 * k, oy + y0 * k, (x1 - x0) * k, (y1 - y0) * k];
  return {
    scale: k,
    canvas: box(0, 0, outpaint.width, outpaint.height),
    original: box(...answer.original),
    kept: box(...answer.kept),
  };
}

function label(answer) {
  const { outpaint: o, image } = answer;
  return [
    `${image.width}×${image.height} → ${o.width}×${o.height}  ·  ←${o.left} ↑${o.top} →${o.right} ↓${o.bottom}`,
    `pre-fill: ${answer.prefill}${answer.pixels.canvas ? "" : " (connect a Load Image to see it)"}  ·  band ${answer.overlap} px`,
  ];
}

function strokeBox(ctx, [x, y, w, h], colour, dash) {
  ctx.setLineDash(dash);
  ctx.strokeStyle = colour;
  ctx.strokeRect(x + 0.5, y + 0.5, Math.max(0, w - 1), Math.max(0, h - 1));
}

/**
 * Draw the preview on a 2D context of width×height CSS px. `images` = {canvas: HTMLImageElement|null,
 * mask: HTMLImageElement}, decoded from the answer's pixels. Returns the layout drawn.
 */
export function drawPreview(ctx, width, height, answer, images) {
  const layout = layoutPreview(answer, width, height);
  ctx.save();
  ctx.fillStyle = COLOURS.background;
  ctx.fillRect(0, 0, width, height);
  if (images.canvas) {
    ctx.drawImage(images.canvas, ...layout.canvas);
  } else {
    ctx.fillStyle = COLOURS.canvas;
    ctx.fillRect(...layout.canvas);
    ctx.fillStyle = COLOURS.placeholder;
    ctx.fillRect(...layout.original);
  }
  ctx.globalAlpha = MASK_ALPHA;
  ctx.drawImage(images.mask, ...layout.canvas);
  ctx.globalAlpha = 1;
  ctx.lineWidth = 1;
  strokeBox(ctx, layout.canvas, COLOURS.outline, []);
  if (answer.overlap > 0) strokeBox(ctx, layout.kept, COLOURS.kept, [2, 3]);
  strokeBox(ctx, layout.original, COLOURS.original, [5, 3]);
  ctx.setLineDash([]);
  ctx.font = "11px sans-serif";
  ctx.fillStyle = COLOURS.text;
  ctx.textBaseline = "top";
  label(answer).forEach((line, i) => ctx.fillText(line, MARGIN, height - LABEL + 2 + i * 13, width - 2 * MARGIN));
  ctx.restore();
  return layout;
}

/** A message instead of a preview (no picture and no run yet, or settings the node refuses). */
export function drawMessage(ctx, width, height, text, isError) {
  ctx.save();
  ctx.fillStyle = COLOURS.background;
  ctx.fillRect(0, 0, width, height);
  ctx.font = "12px sans-serif";
  ctx.fillStyle = isError ? COLOURS.error : COLOURS.text;
  ctx.textBaseline = "top";
  // Word-wrap to the view's width.
  let line = "";
  let y = MARGIN;
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > width - 2 * MARGIN) {
      ctx.fillText(line, MARGIN, y);
      line = word;
      y += 15;
    } else {
      line = next;
    }
  }
  if (line) ctx.fillText(line, MARGIN, y);
  ctx.restore();
}
