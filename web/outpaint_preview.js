// inpaint-bridge: a live preview of Outpaint Expand under its widgets: the padded canvas, where the
// original sits, the pre-fill and the mask band, redrawn whenever a widget or the input changes.
// The geometry and pixels come from POST /inpaint-bridge/outpaint/preview, which runs the node's own
// Python helpers (on a downscaled copy for the pixels), so the preview cannot drift from a run.
// Nothing is saved into the workflow: the preview widget is not serialised, and what a run
// reported (the input size, for inputs that are not a Load Image) stays in memory.
import { app } from "../../scripts/app.js";
import { api } from "../../scripts/api.js";
import { loaderPicture, upstream } from "./lib/graph_inputs.js";
import { drawMessage, drawPreview } from "./lib/outpaint_preview_draw.js";

const EXPAND_NODE = "IB_OutpaintExpand";
const ROUTE = "/inpaint-bridge/outpaint/preview";
const WIDGET = "ib_outpaint_preview";
const MIN_HEIGHT = 200;
const DEBOUNCE_MS = 120; // a dragged number widget changes many times a second: ask once it rests
// Changes the node's drawing does not see (the upstream Load Image's file, every change when the
// frontend draws nodes with Vue) are found by a cheap look every POLL_MS.
const POLL_MS = 300;

const views = new WeakMap(); // node -> its preview view
const lastRunSize = new WeakMap(); // node -> {width, height} of the image its last run expanded

function loadImage(src) {
  const image = new Image();
  image.src = src;
  return image.decode().then(() => image);
}

class PreviewView {
  constructor(node) {
    this.node = node;
    this.key = null;
    this.seq = 0;
    this.controller = null;
    this.timer = null;
    this.shown = null; // {answer, images} or {message, isError}
    this.element = document.createElement("div");
    this.element.className = "ib-outpaint-preview";
    Object.assign(this.element.style, { width: "100%", height: "100%", minHeight: `${MIN_HEIGHT}px` });
    this.canvas = document.createElement("canvas");
    Object.assign(this.canvas.style, { display: "block", width: "100%", height: "100%", borderRadius: "4px" });
    this.element.append(this.canvas);
    this.resizeObserver = new ResizeObserver(() => this.paint());
    this.resizeObserver.observe(this.element);
    this.poll = setInterval(() => this.element.isConnected && this.check(), POLL_MS);
  }

  /** The request the node's current state asks for, or null when nothing tells the input's size. */
  request() {
    const settings = {};
    for (const w of this.node.widgets ?? []) {
      if (w.name !== WIDGET && w.options?.serialize !== false) settings[w.name] = w.value;
    }
    const image = loaderPicture(upstream(this.node, "image"));
    if (image) return { image, settings };
    const size = lastRunSize.get(this.node);
    return size ? { ...size, settings } : null;
  }

  /** Called on every draw of the node and every POLL_MS: asks again when anything the preview shows changed. */
  check() {
    const request = this.request();
    const key = JSON.stringify(request);
    if (key === this.key) return;
    this.key = key;
    clearTimeout(this.timer);
    if (!request) {
      this.controller?.abort();
      this.show({ message: "Connect a Load Image, or queue the workflow once, to preview the canvas." }, key);
      return;
    }
    this.timer = setTimeout(() => this.fetch(request, key), DEBOUNCE_MS);
  }

  async fetch(request, key) {
    const seq = ++this.seq;
    this.element.dataset.requestSeq = String(seq);
    this.controller?.abort();
    this.controller = new AbortController();
    let shown;
    try {
      const response = await api.fetchApi(ROUTE, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(request),
        signal: this.controller.signal,
      });
      const answer = await response.json();
      if (!response.ok) {
        shown = { message: answer.error || `preview failed (${response.status})`, isError: true };
      } else {
        const [canvas, mask] = await Promise.all([
          answer.pixels.canvas ? loadImage(answer.pixels.canvas) : null,
          loadImage(answer.pixels.mask),
        ]);
        shown = { answer, images: { canvas, mask } };
      }
    } catch (error) {
      if (error.name === "AbortError") return;
      shown = { message: `preview failed: ${error.message}`, isError: true };
    }
    if (seq !== this.seq) return; // a newer request went out meanwhile: its answer is the one to show
    this.show({ ...shown, request }, key, seq);
  }

  show(shown, key, seq = this.seq) {
    this.shown = shown;
    this.element.dataset.key = key;
    this.element.dataset.seq = String(seq);
    this.paint();
  }

  paint() {
    if (!this.shown) return;
    const dpr = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    if (!width || !height) return;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    const ctx = this.canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const { answer, images, message, isError } = this.shown;
    // What is on screen, for tests and benchmarks: the answer, where each box was drawn, and when.
    const drawn = { seq: Number(this.element.dataset.seq), request: this.shown.request, at: performance.now() };
    if (answer) {
      this.element.ibDrawn = { ...drawn, answer, layout: drawPreview(ctx, width, height, answer, images) };
      this.element.dataset.state = "ready";
    } else {
      drawMessage(ctx, width, height, message, isError);
      this.element.ibDrawn = { ...drawn, message };
      this.element.dataset.state = isError ? "error" : "waiting";
    }
  }

  remove() {
    clearInterval(this.poll);
    clearTimeout(this.timer);
    this.controller?.abort();
    this.resizeObserver.disconnect();
  }
}

app.registerExtension({
  name: "inpaint-bridge.outpaint-preview",
  nodeCreated(node) {
    if (node.comfyClass !== EXPAND_NODE) return;
    const view = new PreviewView(node);
    views.set(node, view);
    const preview = node.addDOMWidget(WIDGET, "ib-outpaint-preview", view.element, {
      serialize: false, // not in widgets_values nor in the prompt: a display, not an input
      getMinHeight: () => MIN_HEIGHT,
      getValue: () => "",
      setValue: () => {},
    });
    preview.serialize = false;
    const removeOwn = preview.onRemove;
    preview.onRemove = function () {
      removeOwn?.apply(this, arguments);
      view.remove();
    };
    const drawOwn = node.onDrawForeground;
    node.onDrawForeground = function () {
      drawOwn?.apply(this, arguments);
      views.get(this)?.check();
    };
    if (node.size[1] < node.computeSize()[1]) node.setSize([node.size[0], node.computeSize()[1]]);
  },
  setup() {
    api.addEventListener("executed", ({ detail }) => {
      const node = app.graph?.getNodeById(Number(detail?.display_node ?? detail?.node));
      const info = detail?.output?.ib_outpaint?.[0];
      if (node?.comfyClass !== EXPAND_NODE || !info) return;
      lastRunSize.set(node, { width: info.width - info.left - info.right, height: info.height - info.top - info.bottom });
      node.setDirtyCanvas(true, false);
    });
  },
});
