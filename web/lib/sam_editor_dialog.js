// The point/box editor dialog of Segment (SAM): the picture, the prompts drawn on it and the live
// mask preview from POST /inpaint-bridge/sam/preview. Left click adds an include point, right click
// an exclude point, a drag draws a box; Ctrl+Z or Backspace undoes, Delete clears, Enter keeps,
// Escape restores what the node had. Every change is written to the node at once (onChange), so
// the saved workflow holds exactly the prompts the preview shows.

const PREVIEW_ROUTE = "/inpaint-bridge/sam/preview";
const DRAG_THRESHOLD = 5; // screen px before a press becomes a box
const COLOURS = { include: "#3ddc84", exclude: "#ff4d5e", box: "#ffd24d" };

function el(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
}

export class SamEditorDialog {
  /**
   * @param {object} options
   *   api: the frontend's api module; pictures: [{filename, subfolder, type}] (one per batch image);
   *   prompts(index) -> {points, boxes}; onChange(index, prompts); model, multimask, cleanupArea;
   *   onClose(keep: boolean): false when cancelled (the caller restores what the node had)
   */
  constructor(options) {
    this.o = options;
    this.index = 0;
    this.history = []; // [{kind: "point"|"box"}] in the order added, for undo
    this.seq = 0;
    this.shownSeq = 0;
    this.controller = null;
    this.maskImage = null;
    this.drag = null;
    this.build();
  }

  build() {
    this.status = el("span", { className: "ib-sam-status" });
    // Holds the keyboard focus while the editor is open: the frontend's own undo and shortcuts
    // leave keys alone when an input has focus, so Ctrl+Z and Delete reach only the editor.
    this.json = el("input", { className: "ib-sam-json", readOnly: true, spellcheck: false });
    this.counter = el("span", { className: "ib-sam-counter" });
    const button = (label, action, cls) =>
      el("button", { textContent: label, className: cls, onclick: () => { action(); this.json.focus(); } });
    const batch = this.o.pictures.length > 1
      ? [button("◀", () => this.select(this.index - 1), "ib-sam-prev"), this.counter,
        button("▶", () => this.select(this.index + 1), "ib-sam-next")]
      : [];
    this.canvas = el("canvas", { className: "ib-sam-canvas" });
    this.root = el("div", { className: "ib-sam-editor" }, [
      el("div", { className: "ib-sam-panel" }, [
        el("div", { className: "ib-sam-toolbar" }, [
          el("strong", { textContent: "Segment: points & boxes" }),
          ...batch,
          button("Undo", () => this.undo(), "ib-sam-undo"),
          button("Clear", () => this.clear(), "ib-sam-clear"),
          button("Cancel", () => this.close(false), "ib-sam-cancel"),
          button("Done", () => this.close(true), "ib-sam-done"),
        ]),
        el("div", {
          className: "ib-sam-hint",
          textContent: "Left click: include · Right click: exclude · Drag: box · Ctrl+Z / Backspace: undo · " +
            "Delete: clear · Enter: done · Esc: cancel",
        }),
        el("div", { className: "ib-sam-stage" }, [this.canvas]),
        this.json,
        this.status,
      ]),
    ]);
    Object.assign(this.root.style, {
      position: "fixed", inset: "0", zIndex: 10000, background: "rgba(0,0,0,0.72)", display: "flex",
      alignItems: "center", justifyContent: "center", font: "13px sans-serif", color: "#ddd",
    });
    Object.assign(this.root.firstChild.style, {
      background: "#222", padding: "10px", borderRadius: "8px", display: "flex", flexDirection: "column", gap: "6px",
    });
    Object.assign(this.root.querySelector(".ib-sam-toolbar").style, { display: "flex", gap: "8px", alignItems: "center" });
    Object.assign(this.json.style, {
      background: "#111", color: "#9cf", border: "1px solid #444", font: "12px monospace", padding: "3px",
    });
    this.canvas.style.cursor = "crosshair";
    this.canvas.addEventListener("contextmenu", (e) => e.preventDefault());
    this.canvas.addEventListener("pointerdown", (e) => this.pointerDown(e));
    this.canvas.addEventListener("pointermove", (e) => this.pointerMove(e));
    this.canvas.addEventListener("pointerup", (e) => this.pointerUp(e));
    this.keydown = (e) => this.key(e);
  }

  async open() {
    document.body.append(this.root);
    // Capture phase: while the editor is open no key reaches the graph canvas (Delete, Ctrl+Z...).
    window.addEventListener("keydown", this.keydown, true);
    this.json.focus();
    await this.select(0);
  }

  async select(index) {
    // Answers still on their way belong to the picture shown before: never draw them on this one.
    this.controller?.abort();
    this.shownSeq = this.seq + 1;
    const count = this.o.pictures.length;
    this.index = (index + count) % count;
    this.counter.textContent = `image ${this.index + 1} / ${count}`;
    this.prompts = this.o.prompts(this.index);
    this.history = [
      ...this.prompts.points.map(() => ({ kind: "point" })),
      ...this.prompts.boxes.map(() => ({ kind: "box" })),
    ];
    this.maskImage = null;
    this.root.dataset.ready = "";
    const picture = this.o.pictures[this.index];
    this.picture = await this.loadPicture(picture);
    this.root.ibPicture = this.picture; // tests and benchmarks map image pixels to the page through it
    this.layout();
    this.draw();
    await this.requestPreview(null); // computes the embedding now, so the first click only decodes
    this.root.dataset.ready = "1";
  }

  loadPicture(ref) {
    const query = new URLSearchParams({ filename: ref.filename, subfolder: ref.subfolder ?? "", type: ref.type });
    const image = new Image();
    image.src = this.o.api.apiURL(`/view?${query}`);
    return image.decode().then(() => image);
  }

  layout() {
    const { naturalWidth: w, naturalHeight: h } = this.picture;
    this.scale = Math.min(1, (window.innerWidth - 60) / w, (window.innerHeight - 140) / h);
    this.canvas.width = Math.round(w * this.scale);
    this.canvas.height = Math.round(h * this.scale);
  }

  /** Image pixel under a pointer event (the pixel's index, not the nearest corner). */
  toImage(e) {
    const rect = this.canvas.getBoundingClientRect();
    const clamp = (v, max) => Math.max(0, Math.min(max - 1, Math.floor(v)));
    return {
      x: clamp((e.clientX - rect.left) / this.scale, this.picture.naturalWidth),
      y: clamp((e.clientY - rect.top) / this.scale, this.picture.naturalHeight),
    };
  }

  pointerDown(e) {
    if (e.button !== 0 && e.button !== 2) return;
    e.preventDefault();
    this.canvas.setPointerCapture(e.pointerId);
    this.drag = { button: e.button, start: this.toImage(e), end: null, sx: e.clientX, sy: e.clientY };
  }

  pointerMove(e) {
    if (!this.drag || this.drag.button !== 0) return;
    if (Math.hypot(e.clientX - this.drag.sx, e.clientY - this.drag.sy) >= DRAG_THRESHOLD) {
      this.drag.end = this.toImage(e);
      this.draw();
    }
  }

  pointerUp(e) {
    const drag = this.drag;
    this.drag = null;
    if (!drag) return;
    const committed = e.timeStamp; // the release itself (same clock as performance.now())
    if (drag.end) {
      const { start, end } = drag;
      const box = [Math.min(start.x, end.x), Math.min(start.y, end.y), Math.max(start.x, end.x), Math.max(start.y, end.y)];
      if (box[2] - box[0] < 2 || box[3] - box[1] < 2) return this.draw();
      this.prompts.boxes.push(box);
      this.history.push({ kind: "box" });
    } else {
      this.prompts.points.push({ x: drag.start.x, y: drag.start.y, label: drag.button === 0 ? 1 : 0 });
      this.history.push({ kind: "point" });
    }
    this.changed(committed);
  }

  key(e) {
    e.stopImmediatePropagation();
    const undo = (e.key === "z" && (e.ctrlKey || e.metaKey) && !e.shiftKey) || e.key === "Backspace";
    if (undo) this.undo();
    else if (e.key === "Delete") this.clear();
    else if (e.key === "Enter") this.close(true);
    else if (e.key === "Escape") this.close(false);
    else return;
    e.preventDefault();
  }

  undo() {
    const last = this.history.pop();
    if (!last) return;
    (last.kind === "box" ? this.prompts.boxes : this.prompts.points).pop();
    this.changed(performance.now());
  }

  clear() {
    this.prompts = { points: [], boxes: [] };
    this.history = [];
    this.changed(performance.now());
  }

  changed(committedAt) {
    this.o.onChange(this.index, this.prompts);
    this.prompts = this.o.prompts(this.index); // what the node now holds (rounded to pixels)
    this.draw();
    this.requestPreview(committedAt);
  }

  async requestPreview(committedAt) {
    const seq = ++this.seq;
    this.root.dataset.requestSeq = String(seq);
    this.controller?.abort();
    this.controller = new AbortController();
    const body = {
      image: this.o.pictures[this.index],
      model: this.o.model,
      points: this.prompts.points,
      boxes: this.prompts.boxes,
      multimask: this.o.multimask,
      cleanup_area: this.o.cleanupArea,
    };
    let answer;
    try {
      const response = await this.o.api.fetchApi(PREVIEW_ROUTE, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: this.controller.signal,
      });
      answer = await response.json();
      if (!response.ok) throw new Error(answer.error || `preview failed (${response.status})`);
    } catch (error) {
      if (error.name === "AbortError") return;
      this.status.textContent = `Preview: ${error.message}`;
      this.root.dataset.error = error.message;
      return;
    }
    if (seq < this.shownSeq) return;
    const mask = new Image();
    mask.src = answer.mask;
    await mask.decode();
    if (seq < this.shownSeq || !this.root.isConnected) return;
    this.shownSeq = seq;
    this.maskImage = this.prompts.points.length || this.prompts.boxes.length ? mask : null;
    this.draw();
    requestAnimationFrame(() => {
      // From the click to the frame that shows its mask: what the user waits for.
      const latency = committedAt == null ? null : performance.now() - committedAt;
      this.root.ibLastPreview = { ...answer, seq, latency_ms: latency };
      this.root.dataset.previewSeq = String(seq);
      const score = answer.scores.length ? ` · score ${answer.scores.map((s) => s.toFixed(2)).join(", ")}` : "";
      const timing = latency == null ? "ready" : `${Math.round(latency)} ms`;
      this.status.textContent = answer.empty && (body.points.length || body.boxes.length)
        ? `nothing found (${timing})`
        : `mask: ${timing}${score}${answer.embedding_cached ? "" : " · image encoded"}`;
    });
  }

  draw() {
    this.json.value = JSON.stringify(this.prompts);
    const ctx = this.canvas.getContext("2d");
    const s = this.scale;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this.picture, 0, 0, this.canvas.width, this.canvas.height);
    if (this.maskImage) {
      ctx.globalAlpha = 0.5;
      ctx.drawImage(this.maskImage, 0, 0, this.canvas.width, this.canvas.height);
      ctx.globalAlpha = 1;
    }
    ctx.lineWidth = 2;
    const boxes = [...this.prompts.boxes];
    if (this.drag?.end) {
      const { start, end } = this.drag;
      boxes.push([start.x, start.y, end.x, end.y]);
    }
    for (const [x0, y0, x1, y1] of boxes) {
      ctx.strokeStyle = COLOURS.box;
      ctx.strokeRect(x0 * s, y0 * s, (x1 - x0) * s, (y1 - y0) * s);
    }
    for (const p of this.prompts.points) {
      ctx.beginPath();
      ctx.arc(p.x * s, p.y * s, 6, 0, 2 * Math.PI);
      ctx.fillStyle = p.label ? COLOURS.include : COLOURS.exclude;
      ctx.fill();
      ctx.strokeStyle = "#fff";
      ctx.stroke();
    }
  }

  close(keep) {
    this.controller?.abort();
    window.removeEventListener("keydown", this.keydown, true);
    this.root.remove();
    this.o.onClose?.(keep);
  }
}
