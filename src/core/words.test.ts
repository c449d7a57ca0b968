import { describe, expect, it } from 'vitest';
import { folderName, plural } from './words.ts';

describe('words', () => {
  it('plural: the noun in the number n asks for', () => {
    expect(plural(1, 'channel')).toBe('1 channel');
    expect(plural(3, 'channel')).toBe('3 channels');
    expect(plural(0, 'wrong key')).toBe('0 wrong keys');
    expect(plural(1, 'class', 'classes')).toBe('1 class');
    expect(plural(10, 'class', 'classes')).toBe('10 classes');
  });

  it('folderName: exactly one trailing slash', () => {
    expect(folderName('report')).toBe('report/');
    expect(folderName('report/')).toBe('report/');
    expect(folderName('report//')).toBe('report//'.replace(/\/+$/, '/'));
    expect(folderName('/tmp/r///')).toBe('/tmp/r/');
    expect(folderName('/')).toBe('/');
  });

  // Kills words.ts:11 StringLiteral (`bare === ''` → `bare === "Stryker was here!"`): that mutant differs from the
  // code only for a folder of exactly that name, which it would show as "/". Any name may be a folder's.
  it('folderName: a folder named like Stryker\'s replacement string keeps its name', () => {
    expect(folderName('Stryker was here!')).toBe('Stryker was here!/');
    expect(folderName('Stryker was here!//')).toBe('Stryker was here!/');
  });
});
