// ESLint flat config for the frontend extension (web/) and the browser-test driver.
// The tools live in .cache/npm (installed by scripts/setup.sh from scripts/npm/), so they are
// resolved from there rather than from a node_modules beside this file.
import { createRequire } from "node:module";

const require = createRequire(new URL("../.cache/npm/package.json", import.meta.url));
const js = require("@eslint/js");
const globals = require("globals");

export default [
  js.configs.recommended,
  {
    files: ["web/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    rules: {
      "no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "prefer-const": "error",
      "no-var": "error",
      eqeqeq: ["error", "smart"],
    },
  },
  {
    files: ["tests/**/*.cjs"],
    languageOptions: { ecmaVersion: 2022, sourceType: "commonjs", globals: { ...globals.node } },
  },
];
