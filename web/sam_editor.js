// inpaint-bridge: a point/box editor with a live mask preview on Segment (SAM points/boxes).
// A button on the node opens its input picture; the prompts go into the node's own `points` and
// `boxes` widgets, so the saved workflow keeps them and a re-run gives the same mask. Nothing
// else is saved: the button is not serialised and what the last run reported stays in memory.
import { app } from "../../scripts/app.js";
import { api } from "../../scripts/api.js";
import { loaderPicture, upstream, widget } from "./lib/graph_inputs.js";
import { SamEditorDialog } from "./lib/sam_editor_dialog.js";
import { perImageCount, readPrompts, writePrompts } from "./lib/sam_prompt_format.js";

const SAM_NODE = "IB_SAMSegment";
const BUTTON = "Edit points / boxes";

// The pictures each node segmented in its last run (its `ib_images` UI output), by node.
const lastRun = new WeakMap();

/** What the editor shows: the upstream file as it is now, else the batch the node last ran on. */
function pictures(node) {
  const fromLoader = loaderPicture(upstream(node, "image"));
  if (fromLoader) return [fromLoader];
  return lastRun.get(node) ?? [];
}

function setWidget(node, name, value) {
  const w = widget(node, name);
  if (!w || w.value === value) return;
  w.value = value;
  w.callback?.(value, app.canvas, node);
}

function openEditor(node) {
  const shown = pictures(node);
  if (!shown.length) {
    app.extensionManager?.toast?.add({
      severity: "info",
      summary: "Segment (SAM)",
      detail: "Connect a Load Image node, or queue the workflow once, so the editor has a picture to show.",
      life: 5000,
    });
    return;
  }
  const points = widget(node, "points");
  const boxes = widget(node, "boxes");
  const saved = { points: points.value, boxes: boxes.value };
  const count = Math.max(shown.length, perImageCount(points.value, boxes.value));
  const dialog = new SamEditorDialog({
    api,
    pictures: shown,
    model: widget(upstream(node, "sam_model"), "model_name")?.value ?? null,
    multimask: widget(node, "multimask")?.value ?? "best",
    cleanupArea: widget(node, "cleanup_area")?.value ?? 0,
    prompts: (index) => readPrompts(points.value, boxes.value, index),
    onChange: (index, prompts) => {
      const texts = writePrompts(points.value, boxes.value, index, count, prompts);
      setWidget(node, "points", texts.points);
      setWidget(node, "boxes", texts.boxes);
      node.setDirtyCanvas(true, true);
    },
    onClose: (keep) => {
      if (!keep) {
        setWidget(node, "points", saved.points);
        setWidget(node, "boxes", saved.boxes);
      }
      node.setDirtyCanvas(true, true);
    },
  });
  dialog.open();
}

app.registerExtension({
  name: "inpaint-bridge.sam-editor",
  nodeCreated(node) {
    if (node.comfyClass !== SAM_NODE) return;
    const button = node.addWidget("button", BUTTON, null, () => openEditor(node), { serialize: false });
    button.serialize = false; // not in widgets_values: the workflow keeps only the user's prompts
  },
  getNodeMenuItems(node) {
    return node.comfyClass === SAM_NODE ? [{ content: BUTTON, callback: () => openEditor(node) }] : [];
  },
  setup() {
    api.addEventListener("executed", ({ detail }) => {
      const node = app.graph?.getNodeById(Number(detail?.display_node ?? detail?.node));
      const images = detail?.output?.ib_images;
      if (node?.comfyClass === SAM_NODE && Array.isArray(images)) lastRun.set(node, images);
    });
  },
});
