// inpaint-bridge: writes what Mask Statistics measured under the node after a run.
// The figures live in memory only (a WeakMap by node): they are a run's display, not the
// user's input, so nothing of them is saved into the workflow.
import { app } from "../../scripts/app.js";
import { api } from "../../scripts/api.js";

const STATS_NODE = "IB_MaskStatistics";
const lastStats = new WeakMap();

function formatStats(stats) {
  return stats.map((s, i) => {
    if (s.empty) return `#${i}: empty`;
    const [x, y, w, h] = s.bbox;
    return `#${i}: ${(s.coverage * 100).toFixed(2)}% · ${s.components} region(s) · bbox ${x},${y} ${w}×${h}` +
      (s.non_binary ? ` · ${s.non_binary} soft px` : "");
  });
}

app.registerExtension({
  name: "inpaint-bridge.mask-statistics",
  nodeCreated(node) {
    if (node.comfyClass !== STATS_NODE) return;
    const drawOwn = node.onDrawForeground;
    node.onDrawForeground = function (ctx) {
      drawOwn?.apply(this, arguments);
      const lines = lastStats.get(this);
      if (!lines || this.flags?.collapsed) return;
      ctx.save();
      ctx.font = "11px sans-serif";
      ctx.fillStyle = "#9fd";
      lines.forEach((line, i) => ctx.fillText(line, 8, this.size[1] + 14 + i * 13));
      ctx.restore();
    };
  },
  setup() {
    api.addEventListener("executed", ({ detail }) => {
      const node = app.graph?.getNodeById(Number(detail?.display_node ?? detail?.node));
      const stats = detail?.output?.stats;
      if (node?.comfyClass !== STATS_NODE || !Array.isArray(stats)) return;
      lastStats.set(node, formatStats(stats));
      node.setDirtyCanvas(true, false);
    });
  },
});
