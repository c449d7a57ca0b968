/**
 * The exact adapter, if there is one: least squares of the plain model-input
 * patch on the encrypted one, and what its form says (adaptable, norm:<n>,
 * blocks:M=…:P=…).
 */
import { type AdapterShape, type AffineFit, adapterShape, fitAffine } from '../affine.ts';
import { modelInput, toBlocks } from '../blocks.ts';
import { type NormalizationName, type VariantParams, normalization } from '../contract.ts';
import { VARIANT_TOLERANCE as TOL } from '../tolerance.ts';
import { type Ctx, keyFor } from './check.ts';
import { bytesImage, encryptImages, imageSides, plainFromBytes } from './images.ts';

export interface Fit {
  readonly fit: AffineFit;
  readonly shape: AdapterShape;
  readonly exact: boolean;
}

/** Least squares: the plain model-input patch as an affine function of the encrypted one, on seeded random images. */
export function leastSquares(ctx: Ctx, params: VariantParams, patch: number, norm: NormalizationName): Fit {
  const P = patch;
  const C = params.channels;
  const p = P * P * C;
  const key = keyFor(ctx, params, `least-squares/${ctx.seed}`);
  const [H, W] = imageSides(ctx.v, params, P, 2, 2);
  const perImage = (H / P) * (W / P);
  const count = Math.ceil((p + 1 + 32) / perImage);
  const bytes = bytesImage(`least-squares/${ctx.seed}/${params.blockSize}/${P}`, count, C, H, W);
  const n = normalization(norm, C);
  const plain = plainFromBytes(bytes, ctx.dom.input, norm);
  const cipher = encryptImages(ctx, plain, params.blockSize, key);
  const x = toBlocks(modelInput(plain, ctx.dom.input, n), P).data;
  const y = toBlocks(modelInput(cipher, ctx.dom.output, n), P).data;
  const fit = fitAffine(y, x, x.length / p, p, p);
  return { fit, shape: adapterShape(fit), exact: fit.residual <= TOL.adapterResidual.atol };
}

export function describeFit(f: Fit): string {
  if (!f.exact) return `best affine fit leaves residual ${f.fit.residual.toExponential(2)} (${f.fit.samples} patches)`;
  const bias = f.shape.biasUnchanged ? "b′ = b" : `b′ = b + c·E (max |c| = ${f.shape.biasCorrection.toPrecision(3)})`;
  const s = f.shape;
  const what = [s.permuted ? 'permuted' : '', s.negated ? 'negated' : '', s.rescaled ? 'rescaled' : ''].filter((x) => x !== '');
  const rows = s.form === 'dense' ? 'E′ = A·E, A dense' : what.length === 0 ? 'E′ = E' : `E′ = rows of E ${what.length === 1 ? what[0] : `${what.slice(0, -1).join(', ')} and ${what.at(-1)}`}`;
  return `${rows}, ${bias} (residual ${f.fit.residual.toExponential(1)})`;
}
