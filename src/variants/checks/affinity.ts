/**
 * The property behind adaptable, norm:<n> and blocks:M=…:P=…: whether the
 * encryption can be undone by one linear patch embedding.
 */
import fc from 'fast-check';
import { type Images, describeValue } from '../blocks.ts';
import type { VariantParams } from '../contract.ts';
import { VARIANT_TOLERANCE as TOL, withinTolerance as close } from '../tolerance.ts';
import { type Ctx, type Outcome, finding, keyFor, keySeedArb, runProperty } from './check.ts';
import { bytesImage, encryptImages, imageSides, plainFromBytes, sidesArb } from './images.ts';

/**
 * Whether the encryption (block size M) can be undone by one linear patch
 * embedding of patch size P: it must be (1) local to each patch, (2) affine,
 * (3) the same linear map in every patch and (4) with the same offset.
 * Each is probed with single-value changes of δ on the 8-bit grid.
 */
export function affinityProperty(ctx: Ctx, id: string, params: VariantParams, patch: number, runs: number, keyPool: boolean): Outcome {
  const P = patch;
  const C = params.channels;
  const arb = fc.record({
    key: keyPool ? fc.integer({ min: 0, max: 7 }).map((i) => `pool-${i}`) : keySeedArb,
    sides: sidesArb,
    x: fc.integer(),
    z: fc.integer(),
    t: fc.nat(),
    delta: fc.integer({ min: 1, max: 255 }),
    q: fc.nat(),
  });
  return runProperty(
    ctx,
    id,
    arb,
    (c) => {
      const key = keyFor(ctx, params, c.key);
      const [H, W] = imageSides(ctx.v, params, P, c.sides[0], c.sides[1]);
      const shape = { count: 1, channels: C, height: H, width: W };
      const bx = bytesImage(`x/${c.x}`, 1, C, H, W);
      const bz = bytesImage(`z/${c.z}`, 1, C, H, W);
      const n = C * H * W;
      const t = c.t % n;
      const ty = Math.floor(t / W) % H;
      const tx = t % W;
      const tc = Math.floor(t / (H * W));
      const patchesAcross = W / P;
      const patchCount = (H / P) * patchesAcross;
      const pIndex = Math.floor(ty / P) * patchesAcross + Math.floor(tx / P);
      const qIndex = patchCount < 2 ? pIndex : (pIndex + 1 + (c.q % (patchCount - 1))) % patchCount;
      const patchOf = (i: number) => Math.floor((Math.floor(i / W) % H) / P) * patchesAcross + Math.floor((i % W) / P);
      const index = (ch: number, y: number, x: number) => (ch * H + y) * W + x;
      const origin = (pi: number) => [Math.floor(pi / patchesAcross) * P, (pi % patchesAcross) * P] as const;
      const [qy, qx] = origin(qIndex);
      const [py, px] = origin(pIndex);
      const t2 = index(tc, qy + (ty - py), qx + (tx - px));
      const room = 256 - c.delta;
      const enc = (bytes: Images) => encryptImages(ctx, plainFromBytes(bytes, ctx.dom.input, '0.5/0.5'), params.blockSize, key);
      const bump = (bytes: Images, at: number, by: number) => {
        const d = Float64Array.from(bytes.data);
        d[at] = (d[at] % room) + by;
        return { ...bytes, data: d };
      };
      const x0 = bump(bx, t, 0);
      const x1 = bump(bx, t, c.delta);
      const z0 = bump(bz, t, 0);
      const z1 = bump(bz, t, c.delta);
      const [ex0, ex1, ez0, ez1] = [x0, x1, z0, z1].map(enc);
      const desc = (i: number) => describeValue(shape, i);
      const tol = (a: number, b: number) => close(a, b, TOL.affinity);
      // (1) locality: encrypted patch p must not change when only plain values outside it change.
      if (patchCount >= 2) {
        const outside = Float64Array.from(bz.data);
        for (let ch = 0; ch < C; ch++) for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) outside[index(ch, py + i, px + j)] = x0.data[index(ch, py + i, px + j)];
        const eo = enc({ ...x0, data: outside });
        for (let ch = 0; ch < C; ch++)
          for (let i = 0; i < P; i++)
            for (let j = 0; j < P; j++) {
              const at = index(ch, py + i, px + j);
              if (!tol(eo.data[at], ex0.data[at])) {
                finding(`not local: encrypted patch ${pIndex} changes (at ${desc(at)}: ${ex0.data[at]} → ${eo.data[at]}) when only plain values outside it change; an encrypted patch depends on plain values outside it, so no patch embedding (patch ${P}, block ${params.blockSize}) can undo the encryption`);
              }
            }
      }
      // (2) affinity, and no effect outside the patch.
      for (let i = 0; i < n; i++) {
        const dx = ex1.data[i] - ex0.data[i];
        if (patchOf(i) !== pIndex && !tol(dx, 0)) {
          finding(`not local: adding ${c.delta} to the plain value at ${desc(t)} (patch ${pIndex}) changes the encrypted value at ${desc(i)} in patch ${patchOf(i)} by ${dx}; an encrypted patch depends on plain values outside it, so no patch embedding (patch ${P}, block ${params.blockSize}) can undo the encryption`);
        }
        const dz = ez1.data[i] - ez0.data[i];
        if (!tol(dz, dx)) {
          finding(`not affine: adding ${c.delta} to the plain value at ${desc(t)} changes the encrypted value at ${desc(i)} by ${dx} in one image but by ${dz} in another (plain ${x0.data[t]} vs ${z0.data[t]} there); no linear patch embedding can undo it`);
        }
      }
      if (patchCount < 2) return;
      // (3) the same change in another patch acts the same way.
      const y0 = bump(bx, t2, 0);
      const y1 = bump(bx, t2, c.delta);
      const [ey0, ey1] = [y0, y1].map(enc);
      for (let ch = 0; ch < C; ch++)
        for (let i = 0; i < P; i++)
          for (let j = 0; j < P; j++) {
            const a = index(ch, py + i, px + j);
            const b = index(ch, qy + i, qx + j);
            const dp = ex1.data[a] - ex0.data[a];
            const dq = ey1.data[b] - ey0.data[b];
            if (!tol(dq, dp)) {
              finding(`not the same in every patch: adding ${c.delta} at in-patch position (c=${tc}, i=${ty - py}, j=${tx - px}) changes encrypted in-patch value (c=${ch}, i=${i}, j=${j}) by ${dp} in patch ${pIndex} but by ${dq} in patch ${qIndex}; the patches would need different adapters, and a conv patch embedding shares one`);
            }
          }
      // (4) equal plain patches encrypt to equal patches (one bias for all).
      const w = Float64Array.from(x0.data);
      for (let ch = 0; ch < C; ch++) for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) w[index(ch, qy + i, qx + j)] = w[index(ch, py + i, px + j)];
      const ew = enc({ ...x0, data: w });
      for (let ch = 0; ch < C; ch++)
        for (let i = 0; i < P; i++)
          for (let j = 0; j < P; j++) {
            const a = ew.data[index(ch, py + i, px + j)];
            const b = ew.data[index(ch, qy + i, qx + j)];
            if (!tol(b, a)) finding(`patches ${pIndex} and ${qIndex} hold the same plain values but encrypt differently at in-patch (c=${ch}, i=${i}, j=${j}): ${a} vs ${b}; each patch would need its own bias`);
          }
    },
    runs,
  );
}
