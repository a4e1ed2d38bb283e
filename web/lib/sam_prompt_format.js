// The JSON that IB_SAMSegment's `points` and `boxes` widgets hold, read and written for one image.
// Mirrors nodes/common/sam_prompts.py: points are {"x","y","label"} (or [x, y, label]), boxes
// [x0, y0, x1, y1]; a list of per-image lists gives one prompt set per batch image, a single
// list applies to every image. Pure functions, no frontend import (tested from pytest with node).

function parse(text) {
  if (text == null || !String(text).trim()) return [];
  try {
    const value = JSON.parse(text);
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

const isItem = (v) => Array.isArray(v) || (v !== null && typeof v === "object");

/** True when `items` is a list of per-image lists (as sam_prompts._is_per_image decides). */
export function isPerImage(items) {
  return items.length > 0 && items.every((item) => Array.isArray(item) && (item.length === 0 || isItem(item[0])));
}

function toPoint(p) {
  if (Array.isArray(p)) return { x: Number(p[0]), y: Number(p[1]), label: p.length > 2 ? Number(p[2]) : 1 };
  return { x: Number(p.x), y: Number(p.y), label: p.label == null ? 1 : Number(p.label) };
}

function toBox(b) {
  if (Array.isArray(b)) return b.slice(0, 4).map(Number);
  return [b.x0, b.y0, b.x1, b.y1].map(Number);
}

/** How many per-image entries the widgets hold (0: one prompt set for every image). */
export function perImageCount(pointsText, boxesText) {
  const counts = [parse(pointsText), parse(boxesText)].map((items) => (isPerImage(items) ? items.length : 0));
  return Math.max(...counts);
}

/** The prompts that apply to image `index`: {points: [{x, y, label}], boxes: [[x0, y0, x1, y1]]}. */
export function readPrompts(pointsText, boxesText, index) {
  const pick = (items) => (isPerImage(items) ? items[index] ?? [] : items);
  return { points: pick(parse(pointsText)).map(toPoint), boxes: pick(parse(boxesText)).map(toBox) };
}

function writeOne(text, index, count, items) {
  if (count <= 1) return JSON.stringify(items);
  const current = parse(text);
  // A single list applied to every image: each image starts from it.
  const perImage = isPerImage(current)
    ? Array.from({ length: count }, (_, i) => current[i] ?? [])
    : Array.from({ length: count }, () => current);
  perImage[index] = items;
  return perImage.every((entry) => entry.length === 0) ? "[]" : JSON.stringify(perImage);
}

/**
 * New widget texts with image `index`'s prompts replaced. `count` > 1 writes per-image lists
 * (the other images keep what applied to them); 1 writes a single list.
 */
export function writePrompts(pointsText, boxesText, index, count, prompts) {
  const points = prompts.points.map((p) => ({ x: Math.round(p.x), y: Math.round(p.y), label: p.label ? 1 : 0 }));
  const boxes = prompts.boxes.map((b) => b.map(Math.round));
  return { points: writeOne(pointsText, index, count, points), boxes: writeOne(boxesText, index, count, boxes) };
}
