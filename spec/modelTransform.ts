/**
 * Model transformation of System A (Sec. 3.3), on the patch-embedding matrix
 * E ∈ R^{p_b×d} of Eq. (3). Written literally: Eq. (8) builds the
 * permutation matrix E_p and multiplies.
 */

/** E_p with (E_p)_{k, v_k} = 1, so that (E_p E)(k, :) = E(v_k, :). */
export function permutationMatrix(v: readonly number[]): number[][] {
  return v.map((vk) => v.map((_, col) => (col === vk ? 1 : 0)));
}

export function matMul(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number[][] {
  return a.map((row) =>
    b[0].map((_, col) => {
      let sum = 0;
      for (let k = 0; k < row.length; k++) sum += row[k] * b[k][col];
      return sum;
    }),
  );
}

export function transpose(a: readonly (readonly number[])[]): number[][] {
  return a[0].map((_, col) => a.map((row) => row[col]));
}

/** Eq. (8): E′ = E_p E. */
export function permuteEmbedding(E: readonly (readonly number[])[], v: readonly number[]): number[][] {
  return matMul(permutationMatrix(v), E);
}

/** Eq. (9): E″(k, :) = −E′(k, :) where r_k = 1. */
export function flipEmbedding(E: readonly (readonly number[])[], r: readonly number[]): number[][] {
  return E.map((row, k) => row.map((e) => (r[k] === 1 ? -e : e)));
}

/** Eqs. (8)–(9): the encrypted model's embedding matrix. The bias is unchanged. */
export function transformEmbedding(E: readonly (readonly number[])[], v: readonly number[], r: readonly number[]): number[][] {
  return flipEmbedding(permuteEmbedding(E, v), r);
}

/** Inverse of Eqs. (8)–(9): undo the sign flip, then E = E_pᵀ E′ (a permutation matrix is orthogonal). */
export function untransformEmbedding(E2: readonly (readonly number[])[], v: readonly number[], r: readonly number[]): number[][] {
  return matMul(transpose(permutationMatrix(v)), flipEmbedding(E2, r));
}
