// The big-endian paths of the safetensors codec, run on this little-endian
// host by telling decodeTensor/encodeTensor the host is big-endian. Before,
// no test reached them (62 NoCoverage mutants, mutation/equivalent.md
// "Big-endian branches"). Every expected value is written by hand from the
// format (tensor bytes are little-endian) and the host layouts, not from src.
import { describe, expect, it } from 'vitest';
import { decodeTensor, encodeTensor } from './safetensors.ts';

const BIG_ENDIAN_HOST = false;

/** `bytes` placed at offset 3 of a larger buffer, so a decoder that ignores the view's offset reads junk. */
function atOffset(bytes: number[]): Uint8Array {
  const buffer = new Uint8Array(bytes.length + 5).fill(0xaa);
  buffer.set(bytes, 3);
  return buffer.subarray(3, 3 + bytes.length);
}

describe('decodeTensor on a big-endian host (portable DataView reads; safetensors.ts:139–166)', () => {
  // The DataView reads name their byte order, so on any host they give the
  // values of the little-endian file bytes.
  it('I16: 01 02 → 0x0201, 00 80 → −32768', () => {
    expect(Array.from(decodeTensor('t', 'I16', atOffset([0x01, 0x02, 0x00, 0x80]), 2, BIG_ENDIAN_HOST) as Int16Array)).toEqual([0x0201, -32768]);
  });

  it('I32: 04 03 02 01 → 0x01020304, fe ff ff ff → −2', () => {
    const out = decodeTensor('t', 'I32', atOffset([0x04, 0x03, 0x02, 0x01, 0xfe, 0xff, 0xff, 0xff]), 2, BIG_ENDIAN_HOST);
    expect(out).toBeInstanceOf(Int32Array);
    expect(Array.from(out as Int32Array)).toEqual([0x01020304, -2]);
  });

  it('I64: 08 07 … 01 → 0x0102030405060708, ff × 8 → −1', () => {
    const out = decodeTensor('t', 'I64', atOffset([8, 7, 6, 5, 4, 3, 2, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 2, BIG_ENDIAN_HOST);
    expect(out).toBeInstanceOf(BigInt64Array);
    expect(Array.from(out as BigInt64Array)).toEqual([0x0102030405060708n, -1n]);
  });

  it('F32: 1.0 (0x3f800000), −2.5 (0xc0200000) and a NaN payload (0x7fc00001) kept bit for bit', () => {
    const out = decodeTensor('t', 'F32', atOffset([0, 0, 0x80, 0x3f, 0, 0, 0x20, 0xc0, 0x01, 0, 0xc0, 0x7f]), 3, BIG_ENDIAN_HOST);
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(new Uint32Array(out.buffer, out.byteOffset, 3))).toEqual([0x3f800000, 0xc0200000, 0x7fc00001]);
  });

  it('F64: each value stored high word first, as a big-endian host holds a double', () => {
    // 3.0000000000000004 = 0x40080000_00000001, 1.0 = 0x3ff00000_00000000 (file bytes little-endian);
    // the first has a low word that is not 0, so element 0's low word is checked too.
    const out = decodeTensor('t', 'F64', atOffset([0x01, 0, 0, 0, 0, 0, 0x08, 0x40, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]), 2, BIG_ENDIAN_HOST);
    expect(out).toBeInstanceOf(Float64Array);
    expect(Array.from(new Uint32Array(out.buffer, out.byteOffset, 4))).toEqual([0x40080000, 0x00000001, 0x3ff00000, 0x00000000]);
  });

  it('a little-endian host takes the copy for the same bytes (same values, F64 low word first)', () => {
    const out = decodeTensor('t', 'F64', atOffset([0, 0, 0, 0, 0, 0, 0xf0, 0x3f]), 1, true);
    expect(Array.from(out as Float64Array)).toEqual([1]);
  });
});

describe('encodeTensor on a big-endian host (byte swap per element; safetensors.ts:179–184)', () => {
  // On a big-endian host an element's bytes in memory are the file's bytes
  // reversed, and the swap restores the file order. Run here on little-endian
  // memory, the same swap reverses the file's bytes of each element instead.
  it('I32 0x01020304, 0x0a0b0c0d: file bytes 04 03 02 01 0d 0c 0b 0a, reversed per element', () => {
    const out = new Uint8Array(8);
    encodeTensor('I32', Int32Array.of(0x01020304, 0x0a0b0c0d), out, BIG_ENDIAN_HOST);
    expect(Array.from(out)).toEqual([0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d]);
  });

  it('I16 and F64 reversed per element too', () => {
    const i16 = new Uint8Array(4);
    encodeTensor('I16', Int16Array.of(0x0201, -2), i16, BIG_ENDIAN_HOST);
    expect(Array.from(i16)).toEqual([0x02, 0x01, 0xff, 0xfe]);
    const f64 = new Uint8Array(8);
    encodeTensor('F64', Float64Array.of(1), f64, BIG_ENDIAN_HOST);
    expect(Array.from(f64)).toEqual([0x3f, 0xf0, 0, 0, 0, 0, 0, 0]);
  });

  it('one-byte elements (U8, I8) have no byte order: copied as they are', () => {
    const u8 = new Uint8Array(3);
    encodeTensor('U8', Uint8Array.of(1, 2, 250), u8, BIG_ENDIAN_HOST);
    expect(Array.from(u8)).toEqual([1, 2, 250]);
    const i8 = new Uint8Array(2);
    encodeTensor('I8', Int8Array.of(-1, 5), i8, BIG_ENDIAN_HOST);
    expect(Array.from(i8)).toEqual([0xff, 5]);
  });

  it('a little-endian host copies the memory image, which is the file order', () => {
    const out = new Uint8Array(4);
    encodeTensor('I32', Int32Array.of(0x01020304), out, true);
    expect(Array.from(out)).toEqual([0x04, 0x03, 0x02, 0x01]);
  });
});
