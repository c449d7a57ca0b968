/**
 * The committed genuine CIFAR-10 sample: the first 1,000 records of the
 * official test_batch.bin, checked against its manifest and read with the
 * project's reader.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CIFAR_RECORD_BYTES, readCifarFile } from '../src/io/cifar10.ts';

const here = join(dirname(fileURLToPath(import.meta.url)), 'data');

interface ManifestFile {
  file: string;
  records: number;
  recordBytes: number;
  bytes: number;
  md5: string;
  sha256: string;
  labelHistogram: number[];
  provenance: string;
}

const manifest = JSON.parse(readFileSync(join(here, 'MANIFEST.json'), 'utf8')) as { files: ManifestFile[] };
const sample = manifest.files.find((f) => f.file === 'test_batch_first1000.bin')!;

describe('golden CIFAR-10 sample', () => {
  it('the manifest describes the sample and where it came from', () => {
    expect(sample).toBeDefined();
    expect(sample.records).toBe(1000);
    expect(sample.recordBytes).toBe(CIFAR_RECORD_BYTES);
    expect(sample.bytes).toBe(1000 * 3073);
    // the md5 of the official test_batch.bin, as published with the dataset
    expect(sample.provenance).toContain('803d5f7f4d78ea53de84dbe85f74fb6d');
  });

  it('the file matches the manifest byte for byte (size, md5, sha256)', () => {
    const bytes = readFileSync(join(here, sample.file));
    expect(bytes.length).toBe(sample.bytes);
    expect(createHash('md5').update(bytes).digest('hex')).toBe(sample.md5);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sample.sha256);
  });

  it('parses as 1,000 CIFAR-10 records with a plausible label histogram', () => {
    const { labels, images } = readCifarFile(join(here, sample.file));
    expect(labels.length).toBe(1000);
    expect(images.shape).toEqual({ count: 1000, height: 32, width: 32, channels: 3 });
    const histogram = new Array<number>(10).fill(0);
    for (const l of labels) histogram[l]++;
    expect(histogram).toEqual(sample.labelHistogram);
    // the test set is balanced (1,000 per class); its first 1,000 are near 100 each
    for (const count of histogram) {
      expect(count).toBeGreaterThanOrEqual(70);
      expect(count).toBeLessThanOrEqual(130);
    }
    // the well-known first test images: cat, ship, ship, airplane, frog
    expect([...labels.subarray(0, 5)]).toEqual([3, 8, 8, 0, 6]);
    // real photographs: pixel values use the whole range and are not constant
    let min = 255;
    let max = 0;
    for (const v of images.data) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(255);
  });
});
