// inpaint-bridge frontend extension: shows what the pack's nodes report on the canvas.
import { app } from "../../scripts/app.js";

const STATS_NODE = "IB_MaskStatistics";

function formatStats(stats) {
  return stats
    .map((s, i) => {
      if (s.empty) return `#${i}: empty`;
      const [x, y, w, h] = s.bbox;
      return `#${i}: ${(s.coverage * 100).toFixed(2)}% · ${s.components} region(s) · bbox ${x},${y} ${w}×${h}` +
        (s.non_binary ? ` · ${s.non_binary} soft px` : "");
    })
    .join("\n");
}

app.registerExtension({
  name: "inpaint-bridge.mask-statistics",
  async beforeRegisterNodeDef(nodeType, nodeData) {
    if (nodeData.name !== STATS_NODE) return;
    const onExecuted = nodeType.prototype.onExecuted;
    nodeType.prototype.onExecuted = function (message) {
      onExecuted?.apply(this, arguments);
      if (!message?.stats) return;
      this.properties = this.properties || {};
      this.properties.ib_last_stats = formatStats(message.stats);
      this.setDirtyCanvas(true, false);
    };
    const onDrawForeground = nodeType.prototype.onDrawForeground;
    nodeType.prototype.onDrawForeground = function (ctx) {
      onDrawForeground?.apply(this, arguments);
      const text = this.properties?.ib_last_stats;
      if (!text || this.flags?.collapsed) return;
      ctx.save();
      ctx.font = "11px sans-serif";
      ctx.fillStyle = "#9fd";
      text.split("\n").forEach((line, i) => ctx.fillText(line, 8, this.size[1] + 14 + i * 13));
      ctx.restore();
    };
  },
});
