// Runs the official npm novita-sdk (.cache/clients/novita-js): one call, JSON out.
// stdin: {"base_url", "key", "op": "inpainting" | "progress" | "getModels", "params"}
// stdout: {"result": ...} or {"error": {"code", "message", "reason", "metadata"}} as a caller sees a NovitaError.
const { NovitaSDK } = require("novita-sdk");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const spec = JSON.parse(input);
  const sdk = new NovitaSDK(spec.key);
  sdk.setBaseUrl(spec.base_url);
  try {
    const result = await sdk[spec.op](spec.params);
    console.log(JSON.stringify({ result }));
  } catch (err) {
    const { code, message, reason, metadata } = err;
    console.log(JSON.stringify({ error: { code, message, reason, metadata, name: err.name } }));
  }
});
