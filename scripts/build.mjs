/**
 * `npm run build`: the npm package's dist/ from src/. tsc (tsconfig.build.json)
 * compiles every module but the tests into ES modules, .d.ts and source maps;
 * every other file under src/ the library reads at run time (srcAssets.mjs)
 * is copied with the same relative path. dist/ is emptied first, so a file
 * moved or removed in src/ leaves nothing stale behind.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { srcAssets } from './srcAssets.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (compiled.status !== 0) {
  process.stderr.write(`build: tsc failed (exit ${compiled.status ?? compiled.signal})\n`);
  process.exit(1);
}
const assets = srcAssets(root);
for (const rel of assets) cpSync(join(root, 'src', rel), join(dist, rel));
process.stderr.write(`build: dist/ compiled from src/, ${assets.length} asset${assets.length === 1 ? '' : 's'} copied${assets.length ? `: ${assets.join(', ')}` : ''}\n`);
