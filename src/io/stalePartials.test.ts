/**
 * stalePartials.ts: which partial folders of earlier fetches are removed.
 * Folder names, times and PIDs are chosen by hand; times are set with
 * utimes, so "now" is exact. Mutation kills (issue 25, area io) named per
 * test as stalePartials.ts:<line> <mutator>.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { removeStalePartials } from './stalePartials.ts';

const NOW = 2_000_000_000_000; // ms
const MIN = 60_000;
const DEAD_PID = 2 ** 30; // above Linux's pid_max (2^22): no such process
afterEach(() => vi.restoreAllMocks());

function folder(parent: string, name: string, ageMs: number): string {
  const path = join(parent, name);
  mkdirSync(path);
  utimesSync(path, (NOW - ageMs) / 1000, (NOW - ageMs) / 1000);
  return path;
}

describe('removeStalePartials', () => {
  // Kills stalePartials.ts:8 (the escaped name), :35 (the pattern: prefix dot, ".partial-", optional PID, exactly six letters or digits).
  it('only .NAME.partial-[PID-]XXXXXX folders are candidates', () => {
    const parent = mkdtempSync(join(tmpdir(), 'cipherpatch-stale-'));
    const out = join(parent, 'cifar.10');
    const old = 60 * MIN;
    const names = [
      '.cifar.10.partial-abc123', // removed
      '.cifar.10.partial-ABCxyz', // removed
      `.cifar.10.partial-${DEAD_PID}-q1w2e3`, // removed
      '.cifarX10.partial-abc123', // the dot is literal
      'cifar.10.partial-abc123', // no leading dot
      '.cifar.10.partial-abc12', // five
      '.cifar.10.partial-abc1234', // seven
      '.cifar.10.partial-abc_12', // not a letter or digit
      '.cifar.10.partial-12x-abc123', // PID not digits
      'x.cifar.10.partial-abc123',
      '.cifar.10.partial-abc123.x',
      '.cifar.10.partiaL-abc123',
      '.cifar.10-partial-abc123',
    ];
    for (const n of names) folder(parent, n, old);
    writeFileSync(join(parent, '.cifar.10.partial-file01'), 'a file, not a folder');
    const removed = removeStalePartials(out, 10 * MIN, NOW);
    expect(removed.sort()).toEqual(names.slice(0, 3).map((n) => join(parent, n)).sort());
    expect(readdirSync(parent).sort()).toEqual([...names.slice(3), '.cifar.10.partial-file01'].sort());
  });

  // Kills stalePartials.ts:44 (the age test, >= at the boundary), :18–22 (the newest change inside, recursively).
  it('an old-style folder is stale when nothing under it changed for staleAfterMs', () => {
    const parent = mkdtempSync(join(tmpdir(), 'cipherpatch-stale-'));
    const out = join(parent, 'data');
    const exact = folder(parent, '.data.partial-exact1', 5 * MIN);
    const young = folder(parent, '.data.partial-young1', 5 * MIN - 1);
    const touched = folder(parent, '.data.partial-touch1', 30 * MIN);
    mkdirSync(join(touched, 'sub'));
    writeFileSync(join(touched, 'sub', 'f'), 'x');
    utimesSync(join(touched, 'sub', 'f'), (NOW - MIN) / 1000, (NOW - MIN) / 1000);
    utimesSync(join(touched, 'sub'), (NOW - 30 * MIN) / 1000, (NOW - 30 * MIN) / 1000);
    utimesSync(touched, (NOW - 30 * MIN) / 1000, (NOW - 30 * MIN) / 1000);
    const inner = folder(parent, '.data.partial-inner1', 30 * MIN);
    mkdirSync(join(inner, 'sub'));
    utimesSync(join(inner, 'sub'), (NOW - 2 * MIN) / 1000, (NOW - 2 * MIN) / 1000);
    utimesSync(inner, (NOW - 30 * MIN) / 1000, (NOW - 30 * MIN) / 1000);
    expect(removeStalePartials(out, 5 * MIN, NOW)).toEqual([exact]);
    expect([existsSync(young), existsSync(touched), existsSync(inner)]).toEqual([true, true, true]);
    // Everything is stale 31 minutes on (the file inside was touched 1 minute before NOW).
    expect(removeStalePartials(out, 5 * MIN, NOW + 31 * MIN).sort()).toEqual([inner, touched, young].sort());
    expect(readdirSync(parent)).toEqual([]);
  });

  // Kills stalePartials.ts:32 (the defaults: ten minutes, now).
  it('by default, ten minutes before the present', () => {
    const parent = mkdtempSync(join(tmpdir(), 'cipherpatch-stale-'));
    const t = (ms: number) => (Date.now() - ms) / 1000;
    mkdirSync(join(parent, '.d.partial-eleven'));
    utimesSync(join(parent, '.d.partial-eleven'), t(11 * MIN), t(11 * MIN));
    mkdirSync(join(parent, '.d.partial-nine00'));
    utimesSync(join(parent, '.d.partial-nine00'), t(9 * MIN), t(9 * MIN));
    expect(removeStalePartials(join(parent, 'd'))).toEqual([join(parent, '.d.partial-eleven')]);
    expect(readdirSync(parent)).toEqual(['.d.partial-nine00']);
  });

  // Kills stalePartials.ts:10–16 (a running PID keeps its folder, however old; EPERM counts as running), :44 (the PID form ignores age).
  it('a folder whose process runs is kept, however old; a gone process\'s folder goes, however new', () => {
    const parent = mkdtempSync(join(tmpdir(), 'cipherpatch-stale-'));
    const out = join(parent, 'o');
    const mine = folder(parent, `.o.partial-${process.pid}-aaaaaa`, 600 * MIN);
    const gone = folder(parent, `.o.partial-${DEAD_PID}-bbbbbb`, 0);
    expect(removeStalePartials(out, 10 * MIN, NOW)).toEqual([gone]);
    expect(existsSync(mine)).toBe(true);
    const other = folder(parent, '.o.partial-4242-cccccc', 600 * MIN);
    const kill = vi.spyOn(process, 'kill').mockImplementation((pid) => {
      throw Object.assign(new Error(pid === 4242 ? 'EPERM' : 'ESRCH'), { code: pid === 4242 ? 'EPERM' : 'ESRCH' });
    });
    expect(removeStalePartials(out, 10 * MIN, NOW)).toEqual([mine]);
    expect(kill.mock.calls.map((c) => c[1])).toEqual([0, 0]);
    expect(existsSync(other)).toBe(true);
  });

  // Kills stalePartials.ts:8 (each character the escape covers: a name holding all of them matches itself, literally).
  it('a name with every regular-expression character matches only itself', () => {
    const parent = mkdtempSync(join(tmpdir(), 'cipherpatch-stale-'));
    const name = 'n.*+?^${}()|[]\\x';
    const own = folder(parent, `.${name}.partial-abc123`, 60 * MIN);
    folder(parent, '.nX*+?^${}()|[]\\x.partial-abc123', 60 * MIN);
    folder(parent, '.n.....{}()|[]\\x.partial-abc123', 60 * MIN);
    expect(removeStalePartials(join(parent, name), 10 * MIN, NOW)).toEqual([own]);
    expect(readdirSync(parent).length).toBe(2);
  });

  it('a missing parent folder removes nothing', () => {
    expect(removeStalePartials(join(tmpdir(), 'cipherpatch-no-such-folder-xyz', 'out'))).toEqual([]);
  });
});
