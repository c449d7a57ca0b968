/**
 * Downloading one file with an idle timeout, its md5 and sha512 computed on
 * the way, and unpacking a tar archive (for src/io/cifarFetch.ts).
 */
import { createHash } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import { basename } from 'node:path';
import { x as extractTar } from 'tar';
import { CipherpatchError, fail } from '../core/errors.ts';
import type { Progress } from './progress.ts';

interface Download {
  readonly bytes: number;
  readonly md5: string;
  readonly sha512: string; // base64
}

export async function download(url: string, dest: string, progress: Progress, fallbackTotal: number, idleTimeoutMs: number): Promise<Download> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${idleTimeoutMs / 1000} s`)), idleTimeoutMs);
  };
  const md5 = createHash('md5');
  const sha512 = createHash('sha512');
  let bytes = 0;
  const file = await open(dest, 'wx');
  try {
    arm();
    let response: Response;
    try {
      response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    } catch (e) {
      fail('cifar.fetch-network', `cannot download ${url}: ${describeNetworkError(e, controller)}`);
    }
    if (!response.ok || response.body === null) {
      fail('cifar.fetch-http', `cannot download ${url}: the server answered ${response.status} ${response.statusText}`.trimEnd());
    }
    const length = Number(response.headers.get('content-length'));
    const total = Number.isSafeInteger(length) && length > 0 ? length : fallbackTotal;
    progress.start(`downloading ${basename(new URL(url).pathname)}`, total, 'MB');
    try {
      for await (const chunk of response.body) {
        arm();
        md5.update(chunk);
        sha512.update(chunk);
        await file.write(chunk);
        bytes += chunk.length;
        progress.update(bytes);
      }
    } catch (e) {
      if (e instanceof CipherpatchError) throw e;
      fail('cifar.fetch-network', `download of ${url} broke off after ${bytes} bytes: ${describeNetworkError(e, controller)}`);
    } finally {
      progress.stop();
    }
    if (Number.isSafeInteger(length) && length > 0 && bytes !== length) {
      fail('cifar.fetch-network', `download of ${url} ended after ${bytes} of ${length} bytes`);
    }
  } finally {
    clearTimeout(timer);
    await file.close();
  }
  return { bytes, md5: md5.digest('hex'), sha512: sha512.digest('base64') };
}

function describeNetworkError(e: unknown, controller: AbortController): string {
  if (controller.signal.aborted && controller.signal.reason instanceof Error) return controller.signal.reason.message;
  const err = e as Error & { cause?: { message?: string; code?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message} (${cause})` : err.message;
}

export async function extract(archive: string, cwd: string, wanted: (path: string) => boolean): Promise<void> {
  await mkdir(cwd, { recursive: true });
  try {
    await extractTar({ file: archive, cwd, strict: true, filter: (path) => wanted(path.replace(/^\.\//, '')) });
  } catch (e) {
    fail('cifar.fetch-archive', `cannot unpack ${basename(archive)}: ${(e as Error).message}`);
  }
}
