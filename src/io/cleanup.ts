/**
 * Temporary files and directories that must not outlive an interrupted
 * command: while registered, SIGINT, SIGTERM or SIGHUP removes them, then
 * the process dies of the same signal as it would have without the handler.
 */
import { rmSync } from 'node:fs';

const pending = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function onSignal(signal: NodeJS.Signals): void {
  for (const path of pending) rmSync(path, { recursive: true, force: true });
  pending.clear();
  uninstall();
  process.kill(process.pid, signal);
}

function install(): void {
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** Removes `path` (recursively) if the process is interrupted before the returned release function runs. */
export function removeOnSignal(path: string): () => void {
  if (pending.size === 0) install();
  pending.add(path);
  return () => {
    if (pending.delete(path) && pending.size === 0) uninstall();
  };
}
