// Drives a headless Chromium with playwright-core for the Python tests (tests/support/browser.py).
// One JSON request per stdin line, one JSON answer per stdout line: {"id", "result"} or {"id", "error"}.
// The tests keep their assertions in Python; this file only performs browser actions.
"use strict";

const path = require("node:path");
const readline = require("node:readline");

const [nodeModules, executablePath, argsJson] = process.argv.slice(2);
const { chromium } = require(path.join(nodeModules, "playwright-core"));

const pages = new Map(); // page id -> {page, errors}
let browser;
let context;
let nextPage = 1;

function pageOf(request) {
  const entry = pages.get(request.page);
  if (!entry) throw new Error(`no page ${request.page}`);
  return entry;
}

const ops = {
  async launch(r) {
    browser = await chromium.launch({ executablePath, headless: true, args: JSON.parse(argsJson) });
    context = await browser.newContext({ viewport: r.viewport, deviceScaleFactor: 1 });
    context.setDefaultTimeout(r.timeout_ms);
    return browser.version();
  },
  async open(r) {
    const page = await context.newPage();
    const id = nextPage++;
    const entry = { page, errors: [] };
    // Uncaught exceptions and console.error calls: tests assert the page stayed clean.
    page.on("pageerror", (e) => entry.errors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && entry.errors.push(`console: ${m.text()}`));
    page.on("response", (r) => r.status() >= 400 && entry.errors.push(`http ${r.status()}: ${r.url()}`));
    pages.set(id, entry);
    if (r.url) await page.goto(r.url, { waitUntil: "load" });
    return id;
  },
  async goto(r) {
    await pageOf(r).page.goto(r.url, { waitUntil: "load" });
  },
  async evaluate(r) {
    // The expression is a function source: "(arg) => ...", awaited when it returns a promise.
    return pageOf(r).page.evaluate(
      ([source, arg]) => (0, eval)(`(${source})`)(arg),
      [r.source, r.arg ?? null],
    );
  },
  async wait_for(r) {
    const handle = await pageOf(r).page.waitForFunction(
      ([source, arg]) => (0, eval)(`(${source})`)(arg),
      [r.source, r.arg ?? null],
      { timeout: r.timeout_ms, polling: 100 },
    );
    return handle.jsonValue();
  },
  async click(r) {
    await pageOf(r).page.locator(r.selector).first().click({ button: r.button });
  },
  async set_files(r) {
    // What a user's file picker gives an <input type=file> (hidden inputs included).
    await pageOf(r).page.locator(r.selector).first().setInputFiles(r.paths);
  },
  async mouse(r) {
    // A list of steps: {"move": [x, y]}, {"down": "left"|"right"}, {"up": ...}, {"wait": ms}.
    const { mouse } = pageOf(r).page;
    for (const step of r.steps) {
      if (step.move) await mouse.move(step.move[0], step.move[1], { steps: step.steps ?? 1 });
      if (step.down) await mouse.down({ button: step.down });
      if (step.up) await mouse.up({ button: step.up });
      if (step.wait) await new Promise((ok) => setTimeout(ok, step.wait));
    }
  },
  async press(r) {
    await pageOf(r).page.keyboard.press(r.key);
  },
  async screenshot(r) {
    await pageOf(r).page.screenshot({ path: r.path, fullPage: false });
    return r.path;
  },
  async errors(r) {
    return pageOf(r).errors.splice(0);
  },
  async close_page(r) {
    await pageOf(r).page.close();
    pages.delete(r.page);
  },
  async quit() {
    if (browser) await browser.close();
    setImmediate(() => process.exit(0));
  },
};

const lines = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on("line", (line) => {
  const request = JSON.parse(line);
  // One request at a time, in order: the Python side waits for each answer anyway.
  queue = queue.then(async () => {
    let answer;
    try {
      const result = await ops[request.op](request);
      answer = { id: request.id, result: result === undefined ? null : result };
    } catch (e) {
      answer = { id: request.id, error: String(e && e.stack ? e.stack : e) };
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
  });
});
lines.on("close", () => queue.then(() => browser && browser.close()).then(() => process.exit(0)));
