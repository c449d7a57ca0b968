/**
 * Partial folders of fetches that never finished: a fetch into NAME builds in
 * a temporary sibling .NAME.partial-PID-XXXXXX (src/io/cifarFetch.ts); these
 * are the rules for when such a folder is abandoned and may be removed.
 */
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The newest modification time of anything under `path`. */
function newestChange(path: string): number {
  const st = lstatSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newestChange(join(path, name))), st.mtimeMs);
}

/**
 * Removes the partial folders of earlier fetches into `out` that nobody works
 * in any more: .NAME.partial-PID-XXXXXX whose process is gone, and older
 * versions' .NAME.partial-XXXXXX untouched for `staleAfterMs`. Returns their paths.
 */
export function removeStalePartials(out: string, staleAfterMs = 10 * 60_000, now = Date.now()): string[] {
  const parent = dirname(out);
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(out))}\\.partial-(?:(\\d+)-)?[A-Za-z0-9]{6}$`);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return removed;
  }
  for (const name of names) {
    const match = pattern.exec(name);
    if (match === null) continue;
    const path = join(parent, name);
    try {
      if (!lstatSync(path).isDirectory()) continue;
      const stale = match[1] !== undefined ? !processRuns(Number(match[1])) : now - newestChange(path) >= staleAfterMs;
      if (!stale) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return removed;
}
