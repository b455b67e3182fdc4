/**
 * Masking (脱敏) of what a disclosure publishes (disclosure.md "Content and masking"). Pure: used by the
 * disclosure activity that prepares an entry and by the tests.
 *
 * Free text is masked as well as fields, because officers write facts such as "当事人张三（身份证号…，
 * 电话…）在莲塘街18号…". What a pattern can find is masked: 18-digit identity numbers (check character X)
 * and 15-digit first-generation ones,
 * mainland mobiles (with +86, spaces or dashes) and fixed lines with an area code, bank cards (16–19 digits, Luhn-valid, or written in
 * groups of four), and street addresses below the township (the county and township stay: they say where,
 * not who). Names of natural persons cannot be found by pattern, so the names the case knows (the party,
 * the reporter) are masked wherever they occur; anything else a pattern cannot see is why publication is
 * a township act after reading the entry (workflows/disclosure.ts).
 */

/** 张三 → 张*, 欧阳娜娜 → 欧***: the first character stays, each other character becomes *. */
export function maskPersonName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length === 0) return '*';
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}

/** Every digit (and an ID's check character X) becomes *; separators stay so the text still reads. */
const starDigits = (s: string): string => s.replace(/[\dXx]/g, '*');

/** The Luhn check of a card number (ISO/IEC 7812). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

// Identity number: 17 digits and a digit or X, not part of a longer run of letters or digits; also written
// 6-8-4 with spaces or dashes (region, birth date, sequence and check).
const ID_NUMBER = /(?<![0-9A-Za-z])\d{6}([ \-]?)\d{8}\1\d{3}[\dXx](?![0-9A-Za-z])/g;
// First-generation identity number (GB 11643-1989, issued until 2004 and still met in old files): 15 digits,
// the birth date as YYMMDD (19YY) after the region, no check character; also written 6-6-3. Masked when
// its 7th–12th digits are a date: any 15-digit run would also take old business registration numbers.
const ID_NUMBER_15 = /(?<![0-9A-Za-z])\d{6}([ \-]?)(\d{2})(\d{2})(\d{2})\1\d{3}(?![0-9A-Za-z])/g;
const isDate = (y: number, m: number, d: number): boolean => {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};
// Bank card written in groups of four (4-4-4-4, optionally a last group of 1–3): 16–19 digits.
const CARD_GROUPED = /(?<![\d])\d{4}(?:[ \-]\d{4}){3}(?:[ \-]\d{1,3})?(?![\d])/g;
// A run of 16–19 digits: a card when the Luhn check holds.
const DIGIT_RUN = /(?<![\d])\d{16,19}(?![\d])/g;
// Mainland mobile: 1[3-9] + 9 digits, written 3-4-4 with optional spaces or dashes, optionally +86 / 0086 / 86.
const MOBILE = /(?<![\d+])(?:(?:\+|00)?86[ \-]?)?1[3-9]\d[ \-]?\d{4}[ \-]?\d{4}(?![\d])/g;
// Fixed line with its area code and the dash: 0599-1234567, 010-12345678.
const LANDLINE = /(?<![\d])0\d{2,3}-\d{7,8}(?![\d])/g;
/**
 * A street address below the township: a street, lane, village or estate name followed by a house
 * number and its parts (号, 栋, 单元, 室, …). The name may not run across a county or township (省 市 区
 * 县 镇 乡 and the 道 of 街道 end it), so "浦城县莲塘镇莲塘街18号3栋" keeps "浦城县莲塘镇". A number with no street before it
 * ("国办发〔2018〕118号") is not an address.
 */
const ADDRESS =
  /[^\s\d省市区县镇乡道，。；：、,.;:()（）《》〔〕【】\[\]"“”'‘’!?！？]{1,12}?(?:路|街|巷|弄|大道|村|社区|小区|大厦|花园|公寓)\s*\d+(?:\s*[-－]\s*\d+)?\s*(?:号楼|号|弄|组|栋|幢|座|单元|室|楼|层)(?:\s*[-－]?\s*\d+\s*(?:号楼|号|栋|幢|座|单元|室|楼|层))*/g;

export interface MaskOptions {
  /** Names of natural persons the case knows (party, reporter): masked wherever they occur. */
  names?: readonly (string | undefined)[];
}

/** Masks free text; text with nothing to mask comes back unchanged. */
export function maskText(text: string, opts: MaskOptions = {}): string {
  let out = text
    .replace(ID_NUMBER, starDigits)
    .replace(ID_NUMBER_15, (id: string, _sep: string, yy: string, mm: string, dd: string) =>
      isDate(1900 + Number(yy), Number(mm), Number(dd)) ? starDigits(id) : id,
    )
    .replace(CARD_GROUPED, starDigits)
    .replace(DIGIT_RUN, (run) => (luhnValid(run) ? starDigits(run) : run))
    .replace(MOBILE, starDigits)
    .replace(LANDLINE, starDigits)
    .replace(ADDRESS, '***');
  // Longest names first, so 欧阳娜娜 is masked before a shorter 欧阳 could split it.
  const names = [...new Set((opts.names ?? []).map((n) => n?.trim()).filter((n): n is string => !!n && Array.from(n).length >= 2))];
  for (const name of names.sort((a, b) => b.length - a.length)) out = out.split(name).join(maskPersonName(name));
  return out;
}

/** The birth date (YYYY-MM-DD) an 18-digit identity number carries in its 7th–14th characters, if valid. */
export function birthDateOf(idNumber: string | undefined): string | undefined {
  const m = /^\d{6}(\d{4})(\d{2})(\d{2})\d{3}[\dXx]$/.exec(idNumber?.trim() ?? '');
  if (!m) return undefined;
  const [, y, mo, d] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) return undefined;
  return `${y}-${mo}-${d}`;
}

/** Full years of age on a local date (YYYY-MM-DD): a birthday counts from its own day. */
export function ageOn(birthDate: string, onDate: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = onDate.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/**
 * Whether the party was a minor (under 18) on the decision date (a local date, Asia/Shanghai): an explicit
 * flag, else the birth date in a person's identity number. Nothing at all is published for a minor.
 */
export function isMinorParty(party: { kind: string; idNumber?: string | undefined; minor?: boolean | undefined }, decisionDate: string): boolean {
  if (party.minor === true) return true;
  if (party.kind !== 'person') return false;
  const birth = birthDateOf(party.idNumber);
  return birth !== undefined && ageOn(birth, decisionDate) < 18;
}
