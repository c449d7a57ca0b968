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
});
