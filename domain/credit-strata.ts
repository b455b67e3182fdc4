/**
 * The credit-risk classes a 双随机 pool is stratified by, and how many of a stratum are drawn. Apart from
 * domain/inspection-draw.ts (which hashes with node:crypto) so the console can show the same numbers.
 */

export const CREDIT_CLASSES = ['A', 'B', 'C', 'D'] as const;
export type CreditClass = (typeof CREDIT_CLASSES)[number];

/** k = ceil(ratio × n), computed so that 0.07 × 100 is 7 and not 8 (binary floating point). */
export function stratumSize(ratio: number, n: number): number {
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`ratio ${ratio} is not between 0 and 1`);
  const exact = Math.round(ratio * n * 1e9) / 1e9;
  return Math.min(n, Math.ceil(exact));
}
