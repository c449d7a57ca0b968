/**
 * The known-answer vectors the library ships (src/variants/builtin/vectors/,
 * read by knownAnswers.ts at run time) are copies of golden/vectors/, where
 * they are made and tested: each copy must stay byte for byte the golden file.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const SHIPPED = new URL('../src/variants/builtin/vectors/', import.meta.url);
const GOLDEN = new URL('./vectors/', import.meta.url);

describe('known-answer vectors shipped with the library', () => {
  const names = readdirSync(SHIPPED).sort();

  it('are the pyffx outputs and the hand-worked System A vectors', () => {
    expect(names).toEqual(['pyffx.json', 'system-a.json']);
  });

  it.each(names)('%s is byte for byte its golden/vectors/ file', (name) => {
    const shipped = readFileSync(new URL(name, SHIPPED));
    const golden = readFileSync(new URL(name, GOLDEN));
    expect(shipped.length).toBe(golden.length);
    expect(shipped.equals(golden), `src/variants/builtin/vectors/${name} differs from golden/vectors/${name}: copy the golden file over it`).toBe(true);
  });
});
