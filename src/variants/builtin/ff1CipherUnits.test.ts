/**
 * Loading FF1 (ff1Cipher.ts) when @noble/ciphers is absent or broken, with
 * the module replaced by vitest's module mocks: the ff1 variant's dependency
 * errors. Each test names the Stryker mutants it was
 * seen to kill.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { asyncRejection } from '../../../properties/rejection.ts';

afterEach(() => {
  vi.doUnmock('@noble/ciphers/ff1.js');
  vi.resetModules();
});

describe('loadFf1Factory', () => {
  // ff1Cipher.ts:16 (a module without FF1: the check and its code and message).
  it('a module that does not export FF1', async () => {
    vi.doMock('@noble/ciphers/ff1.js', () => ({ FF1: 'not a function' }));
    const { loadFf1Factory } = await import('./ff1Cipher.ts');
    const e = await asyncRejection(loadFf1Factory());
    expect({ check: e.check, message: e.message }).toEqual({ check: 'variant.dependency', message: '@noble/ciphers/ff1.js does not export FF1' });
  });

  // ff1Cipher.ts:18–21 (any failure other than ERR_MODULE_NOT_FOUND passes through, not as a dependency error). A module
  // that is not installed cannot be simulated here: vitest wraps an error thrown by a mock factory, and its code is lost.
  it('other failures to load pass through', async () => {
    vi.doMock('@noble/ciphers/ff1.js', () => {
      throw new Error('broken install');
    });
    const { loadFf1Factory } = await import('./ff1Cipher.ts');
    const e = await loadFf1Factory().then(
      () => undefined,
      (x: unknown) => x as { check?: string; message: string },
    );
    expect(e).toBeDefined();
    expect(e?.check).toBeUndefined();
    expect(e?.message).toMatch(/error when mocking a module/);
  });
});
