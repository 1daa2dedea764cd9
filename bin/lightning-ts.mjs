#!/usr/bin/env node
// The `lightning-ts` command: `lightning-ts fit|validate|test|predict --config cfg.yaml --trainer.maxEpochs 5`.
// It registers tsx when installed, so configs may name TypeScript files (`./model.ts#LitModel`), then runs the CLI
// from the sources in a checkout (src/cli, through tsx) or from the compiled package (dist/cli).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let hasTsx = false;
try {
  const { register } = await import('tsx/esm/api');
  register();
  hasTsx = true;
} catch {
  // Without tsx, compiled .js classPaths still load.
}

const source = new URL('../src/cli/index.ts', import.meta.url);
const compiled = new URL('../dist/cli/index.js', import.meta.url);
const useSource = hasTsx && existsSync(fileURLToPath(source));
if (!useSource && !existsSync(fileURLToPath(compiled))) {
  process.stderr.write('lightning-ts: neither dist/cli/index.js (run `npm run build`) nor tsx (to run src/cli/index.ts) is available.\n');
  process.exit(1);
}
const { runCli } = await import((useSource ? source : compiled).href);
process.exitCode = await runCli(process.argv.slice(2));
