/**
 * Identifiers of the enforcement-object roster (执法对象名录库), checked by their check digits, and
 * the masking of personal ID numbers on every read that does not need them.
 */

/** GB 32100-2015 统一社会信用代码: 18 characters from this alphabet (no I, O, S, V, Z). */
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const USCC_SHAPE = /^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{9}[0-9A-HJ-NPQRTUWXY]$/;

/** The check character of the first 17 characters of a credit code (GB 32100-2015 §5.3). */
export function creditCodeCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = USCC_ALPHABET.indexOf(first17.charAt(i));
    if (value < 0) throw new RangeError(`not a credit-code character: ${first17.charAt(i)}`);
    sum += value * (USCC_WEIGHTS[i] ?? 0);
  }
  return USCC_ALPHABET.charAt((31 - (sum % 31)) % 31);
}

/** Why a unified social credit code is invalid, or undefined when it is valid. */
export function creditCodeProblem(code: string): string | undefined {
  if (code.length !== 18) return 'a unified social credit code has 18 characters';
  if (!USCC_SHAPE.test(code)) return 'characters 1–2 and 9–18 are digits or capitals other than I, O, S, V, Z; characters 3–8 are the region code';
  if (creditCodeCheckCharacter(code.slice(0, 17)) !== code.charAt(17)) return 'check character does not match (GB 32100-2015)';
  return undefined;
}

/** GB 11643-1999 公民身份号码: 17 digits (region, birth date, sequence) and a check character. */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

export function idNumberCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17.charAt(i)) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK.charAt(sum % 11);
}

/** Why a citizen ID number is invalid, or undefined when it is valid. */
export function idNumberProblem(id: string): string | undefined {
  if (!/^[1-9][0-9]{16}[0-9X]$/.test(id)) return 'an ID number has 17 digits and a check digit or X';
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d) return 'characters 7–14 are not a birth date';
  if (idNumberCheckCharacter(id.slice(0, 17)) !== id.charAt(17)) return 'check digit does not match (GB 11643)';
  return undefined;
}

/** `350722199001010031` → `350722********0031`: the region and the last four stay, the birth date goes. */
export function maskIdNumber(id: string): string {
  if (id.length <= 10) return '*'.repeat(id.length);
  return `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}
