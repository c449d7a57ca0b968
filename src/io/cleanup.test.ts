/**
 * cleanup.ts: handlers installed with the first registration and removed
 * with the last; a signal removes what is registered and re-raises itself
 * (process.kill is stubbed here, so the test process survives). Mutation kills
 * (issue 25, area io) named per test as cleanup.ts:<line> <mutator>.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { removeOnSignal } from './cleanup.ts';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const listeners = () => SIGNALS.map((s) => process.listenerCount(s));

afterEach(() => vi.restoreAllMocks());

describe('removeOnSignal', () => {
  // Kills cleanup.ts:8 ArrayDeclaration/StringLiteral (the three signals), :18–24 (install / uninstall), :28–31 (first in, last out, a second release does nothing).
  it('installs one handler per signal for the first path and removes them with the last', () => {
    const base = listeners();
    const plus1 = base.map((n) => n + 1);
    const r1 = removeOnSignal('/nonexistent/a');
    expect(listeners()).toEqual(plus1);
    const r2 = removeOnSignal('/nonexistent/b');
    expect(listeners()).toEqual(plus1);
    r1();
    expect(listeners()).toEqual(plus1);
    r1();
    expect(listeners()).toEqual(plus1);
    r2();
    expect(listeners()).toEqual(base);
    r2();
    expect(listeners()).toEqual(base);
  });

  // Kills cleanup.ts:11–15 (every registered path removed recursively, the set cleared, the handlers removed, the same signal re-raised).
  it('a signal removes every registered path and re-raises the signal', () => {
    const base = listeners();
    const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-cleanup-'));
    const a = join(dir, 'a');
    mkdirSync(join(a, 'deep'), { recursive: true });
    writeFileSync(join(a, 'deep', 'f'), 'x');
    const b = join(dir, 'b');
    writeFileSync(b, 'y');
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const releaseA = removeOnSignal(a);
    removeOnSignal(b);
    removeOnSignal(join(dir, 'never-made'));
    process.emit('SIGTERM', 'SIGTERM');
    expect([existsSync(a), existsSync(b)]).toEqual([false, false]);
    expect(kill.mock.calls).toEqual([[process.pid, 'SIGTERM']]);
    expect(listeners()).toEqual(base);
    releaseA();
    expect(listeners()).toEqual(base);
    // The set was cleared: a new registration installs again, and its release uninstalls.
    const c = join(dir, 'c');
    writeFileSync(c, 'z');
    const releaseC = removeOnSignal(c);
    expect(listeners()).toEqual(base.map((n) => n + 1));
    releaseC();
    expect(listeners()).toEqual(base);
    expect(existsSync(c)).toBe(true);
  });
});
