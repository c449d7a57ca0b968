/**
 * Known answers of the built-in variants (the harness's "known-answer"
 * check, contract.ts KnownAnswers), each from a source independent of the
 * code under test:
 *   ffx       the authors' pyffx outputs (golden/vectors/pyffx.json)
 *   system-a, shuffle, flip  the hand-worked System A vectors
 *             (golden/vectors/system-a.json), where the group's key fits the variant
 *   ff1       the NIST SP 800-38G FF1 samples 1–3 (AES-128), run through the FF1
 *             implementation the variant is built on
 * The files are read on first use, from vectors/ beside this module: copies
 * of golden/vectors/ shipped with the library (golden/vectorCopies.test.ts
 * proves them byte for byte equal).
 */
import { readFileSync } from 'node:fs';
import type { BlockKey } from '../../core/key.ts';
import { toBlocks } from '../blocks.ts';
import type { BlockBatch, KnownAnswer, KnownAnswers } from '../contract.ts';
import { PAPER_PARAMS, authorsOnes } from './common.ts';
import type { Ff1Factory } from './ff1Cipher.ts';
import type { FfxKey } from './ffx.ts';

const VECTORS = new URL('./vectors/', import.meta.url);

const files = new Map<string, unknown>();

/** A vector file, parsed once (callers only read it). */
function readVectors<T>(name: string): T {
  if (!files.has(name)) files.set(name, JSON.parse(readFileSync(new URL(name, VECTORS), 'utf8')));
  return files.get(name) as T;
}

// ------------------------------------------------------------------ ffx (pyffx)

interface PyffxFile {
  tests: { tcId: number; password: string; pixel_table_0_255: number[]; pixel_table_max: number }[];
}

/**
 * One vector per pyffx password, at the paper's size (M = 4, C = 3): a binary
 * key with the authors' p_b/2 − 1 = 23 ones (every even position below 46), and
 * 12 blocks whose flagged values run through 0..255, so every pixel value
 * meets the table. Flagged v ↦ pixel_table_0_255[v] / pixel_table_max (the
 * file's notes), others v ↦ v/255 (ToTensor).
 */
export function pyffxVectors(): KnownAnswer<FfxKey>[] {
  const file = readVectors<PyffxFile>('pyffx.json');
  const pb = PAPER_PARAMS.blockSize * PAPER_PARAMS.blockSize * PAPER_PARAMS.channels;
  const flip = Uint8Array.from({ length: pb }, (_, k) => (k % 2 === 0 && k < 2 * authorsOnes(pb) ? 1 : 0));
  const rows = 3;
  const cols = 4;
  const plain = new Float64Array(rows * cols * pb);
  let next = 0;
  for (let i = 0; i < plain.length; i++) plain[i] = flip[i % pb] === 1 ? next++ % 256 : (i * 37) % 256;
  const batch: BlockBatch = { data: plain, images: 1, rows, cols, blockSize: PAPER_PARAMS.blockSize, channels: PAPER_PARAMS.channels };
  return file.tests.map((t) => ({
    id: `pyffx.json tcId ${t.tcId}`,
    key: { blockSize: PAPER_PARAMS.blockSize, channels: PAPER_PARAMS.channels, password: t.password, flip },
    plain: batch,
    encrypted: Array.from(plain, (v, i) => (flip[i % pb] === 1 ? t.pixel_table_0_255[v] / t.pixel_table_max : v / 255)),
  }));
}

export const PYFFX_KNOWN_ANSWERS: KnownAnswers<FfxKey> = {
  source: 'pyffx 0.3.0 outputs, golden/vectors/pyffx.json',
  vectors: pyffxVectors,
};

// ------------------------------------------------------------------ System A (hand-worked)

interface SystemAFile {
  imageGroups: {
    blockSize: number;
    channels: number;
    key: { permutation: number[]; flip: number[] };
    tests: { tcId: number; shape: [number, number, number, number]; plain: number[]; encrypted: number[]; result: string }[];
  }[];
}

/** The hand-worked image vectors whose key `fits` the variant, as block batches (images NCHW → blocks). */
export function systemAVectors(fits: (key: BlockKey) => boolean): KnownAnswer<BlockKey>[] {
  const file = readVectors<SystemAFile>('system-a.json');
  const out: KnownAnswer<BlockKey>[] = [];
  for (const g of file.imageGroups) {
    const key: BlockKey = { blockSize: g.blockSize, channels: g.channels, permutation: Int32Array.from(g.key.permutation), flip: Uint8Array.from(g.key.flip) };
    if (!fits(key)) continue;
    for (const t of g.tests.filter((x) => x.result === 'valid')) {
      const [count, channels, height, width] = t.shape;
      const blocks = (data: number[]) => toBlocks({ data: Float64Array.from(data), count, channels, height, width }, g.blockSize);
      out.push({ id: `system-a.json tcId ${t.tcId}`, key, plain: blocks(t.plain), encrypted: blocks(t.encrypted).data });
    }
  }
  return out;
}

export function systemAKnownAnswers(fits: (key: BlockKey) => boolean): KnownAnswers<BlockKey> {
  return { source: 'hand-worked System A vectors, golden/vectors/system-a.json', vectors: () => systemAVectors(fits) };
}

// ------------------------------------------------------------------ FF1 (NIST samples)

/** NIST SP 800-38G FF1 samples 1–3 (AES-128): radix, tweak, plaintext and ciphertext numerals. */
const NIST_FF1_KEY = '2B7E151628AED2A6ABF7158809CF4F3C';
const NIST_FF1_SAMPLES: readonly { sample: number; radix: number; tweak: string; plain: string; cipher: string }[] = [
  { sample: 1, radix: 10, tweak: '', plain: '0123456789', cipher: '2433477484' },
  { sample: 2, radix: 10, tweak: '39383736353433323130', plain: '0123456789', cipher: '6124200773' },
  { sample: 3, radix: 36, tweak: '3737373770717273373737', plain: '0123456789abcdefghi', cipher: 'a9tv40mll9kdu509eum' },
];

/** The FF1 implementation a variant is built on, against the NIST samples. */
export function nistFf1KnownAnswers(FF1: Ff1Factory): KnownAnswers<never> {
  return {
    source: 'NIST SP 800-38G FF1-AES128 samples 1–3',
    primitive() {
      const key = Uint8Array.from(Buffer.from(NIST_FF1_KEY, 'hex'));
      const numerals = (s: string) => [...s].map((ch) => parseInt(ch, 36));
      const text = (x: number[]) => x.map((d) => d.toString(36)).join('');
      const mismatches: string[] = [];
      for (const s of NIST_FF1_SAMPLES) {
        const tweak = s.tweak === '' ? undefined : Uint8Array.from(Buffer.from(s.tweak, 'hex'));
        const cipher = FF1(s.radix, key, tweak);
        const got = text(cipher.encrypt(numerals(s.plain)));
        if (got !== s.cipher) mismatches.push(`sample ${s.sample} (radix ${s.radix}) encrypts ${s.plain} to ${got}, NIST gives ${s.cipher}`);
        else {
          const back = text(cipher.decrypt(numerals(s.cipher)));
          if (back !== s.plain) mismatches.push(`sample ${s.sample} (radix ${s.radix}) decrypts ${s.cipher} to ${back}, NIST gives ${s.plain}`);
        }
      }
      return { checked: NIST_FF1_SAMPLES.length, mismatches };
    },
  };
}
