// What a node's editor or preview reads from the graph: its widgets, the node feeding an input, and
// the picture a file-loading node (Load Image) holds, as /view's fields. Shared by the extensions.

const ANNOTATION = /^(.*?)\s*\[(input|output|temp)\]$/;

export function widget(node, name) {
  return node?.widgets?.find((w) => w.name === name);
}

export function upstream(node, inputName) {
  const slot = node.inputs?.findIndex((i) => i.name === inputName) ?? -1;
  return slot >= 0 ? node.getInputNode(slot) : null;
}

/** A file-loading node's picture (Load Image: "sub/name.png [input]") as /view's fields, or null. */
export function loaderPicture(source) {
  const value = widget(source, "image")?.value;
  if (typeof value !== "string" || !value) return null;
  const [, path, type] = value.match(ANNOTATION) ?? [null, value, "input"];
  const cut = path.lastIndexOf("/");
  return { filename: path.slice(cut + 1), subfolder: cut >= 0 ? path.slice(0, cut) : "", type };
}
