import { describe, expect, it } from 'vitest';
import { erf } from './fastErf.ts';

describe('fastErf', () => {
  it('matches tabulated erf values (Abramowitz & Stegun, Table 7.1, and higher-precision tables) to 1e-13', () => {
    // Values of erf(x) to 16 digits, from tables of the error function (not computed by this code).
    const table: [number, number][] = [
      [0, 0],
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [1.5, 0.9661051464753108],
      [2, 0.9953222650189527],
      [2.4, 0.9993114861033550],
      [2.5, 0.9995930479825550],
      [3, 0.9999779095030014],
      [4, 0.9999999845827421],
    ];
    for (const [x, value] of table) {
      expect(Math.abs(erf(x) - value), `erf(${x})`).toBeLessThan(1e-13);
      expect(Math.abs(erf(-x) + value), `erf(${-x})`).toBeLessThan(1e-13);
    }
    expect(erf(7)).toBe(1);
    expect(erf(-7)).toBe(-1);
    expect(erf(Number.NaN)).toBeNaN();
  });
});
