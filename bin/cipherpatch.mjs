#!/usr/bin/env node
// The cipherpatch command. In a checkout (src/ is there) it runs the TypeScript
// sources through tsx, so an edit takes effect without a build; the installed
// package has no src/ and runs the compiled dist/ (npm run build) on plain Node.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(sources.href));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv);
