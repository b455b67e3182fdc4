import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageOn, birthDateOf, isMinorParty, luhnValid, maskText } from '../domain/masking';

/**
 * Masking of what a disclosure publishes (domain/masking.ts): generated text with identity numbers,
 * mobiles, bank cards and street addresses embedded among ordinary words. Nothing of the originals'
 * digits survives; ordinary text, and the county and township of an address, survive unchanged.
 */

/** The test's own Luhn check digit (the oracle for generated card numbers, independent of the code under test). */
function luhnCheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

const digits = (min: number, max = min) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((a) => a.join(''));

const idNumber = fc
  .tuple(digits(6), fc.date({ min: new Date('1940-01-01T00:00:00Z'), max: new Date('2020-12-31T00:00:00Z'), noInvalidDate: true }), digits(3), fc.constantFrom(...'0123456789Xx'))
  .chain((parts) => fc.constantFrom('', ' ', '-').map((sep) => [...parts, sep] as const))
  .map(([region, birth, seq, check, sep]) => `${region}${sep}${birth.toISOString().slice(0, 10).replace(/-/g, '')}${sep}${seq}${check}`);
/** A first-generation (GB 11643-1989) identity number: 15 digits, the birth date as YYMMDD, no check character. */
const idNumber15 = fc
  .tuple(digits(6), fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('1999-12-31T00:00:00Z'), noInvalidDate: true }), digits(3), fc.constantFrom('', ' ', '-'))
  .map(([region, birth, seq, sep]) => `${region}${sep}${birth.toISOString().slice(2, 10).replace(/-/g, '')}${sep}${seq}`);
const landline = fc.tuple(fc.constantFrom('0599', '010', '0591', '021'), digits(7, 8)).map(([area, n]) => `${area}-${n}`);

const mobile = fc
  .tuple(fc.constantFrom('', '+86', '+86 ', '86', '0086-'), fc.integer({ min: 3, max: 9 }), digits(9), fc.constantFrom('', ' ', '-'))
  .map(([prefix, second, rest, sep]) => `${prefix}1${second}${rest.slice(0, 1)}${sep}${rest.slice(1, 5)}${sep}${rest.slice(5)}`);

const luhnCard = fc.tuple(fc.constantFrom('62', '4', '5', '3'), fc.integer({ min: 16, max: 19 }), digits(18)).map(([issuer, length, pool]) => {
  const body = (issuer + pool).slice(0, length - 1);
  return body + luhnCheckDigit(body);
});
const groupedCard = fc
  .tuple(digits(16), digits(0, 3), fc.constantFrom(' ', '-'))
  .map(([d, tail, sep]) => [d.slice(0, 4), d.slice(4, 8), d.slice(8, 12), d.slice(12, 16), ...(tail ? [tail] : [])].join(sep));

const place = (suffixes: string[]) => fc.tuple(fc.constantFrom('莲塘', '水北', '仙阳', '富岭', '临江', '石陂', '永兴'), fc.constantFrom(...suffixes)).map(([n, s]) => n + s);
/** A home address: county and township (kept) and the street with its numbers (masked). */
const address = fc
  .tuple(
    fc.constantFrom('', '福建省'),
    fc.constantFrom('', '南平市'),
    place(['县', '区']),
    place(['镇', '乡', '街道']),
    fc.constantFrom('和平', '建设', '人民', '解放', '中山', '东门'),
    fc.constantFrom('路', '街', '巷', '大道', '村'),
    fc.integer({ min: 1, max: 999 }),
    fc.constantFrom('号', '号', '组'),
    fc.constantFrom('', '3栋', '2单元501室', '12号楼1单元302室', '-2号'),
  )
  .map(([province, city, county, township, street, kind, no, unit, rest]) => ({
    kept: `${province}${city}${county}${township}`,
    street: `${street}${kind}${no}${unit}`,
    text: `${province}${city}${county}${township}${street}${kind}${no}${unit}${rest}`,
  }));

const WORDS = ['当事人', '在', '门前', '占道经营', '责令改正', '拒不改正', '堆放货物', 'shop goods on the pavement', '罚款', '元', '依据', '市场监督管理局', '路边', '街道办事处',  '《城市市容和环境卫生管理条例》第三十六条', '号文', '（', '）', '：', '。'];
/** Ordinary text: words, and short numbers (amounts, dates) always between words. */
const ordinary = fc
  .array(fc.tuple(fc.constantFrom(...WORDS), fc.option(digits(1, 4), { nil: undefined })), { minLength: 1, maxLength: 12 })
  .map((parts) => parts.map(([w, n]) => (n ? `${w}${n}元` : w)).join('') + '，依据国办发〔2018〕118号');
const wordsOnly = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 8 }).map((w) => w.join(''));

type Sensitive = { text: string; kept?: string };
const sensitive: fc.Arbitrary<Sensitive> = fc.oneof(
  idNumber.map((text) => ({ text })),
  idNumber15.map((text) => ({ text })),
  mobile.map((text) => ({ text })),
  landline.map((text) => ({ text })),
  luhnCard.map((text) => ({ text })),
  groupedCard.map((text) => ({ text })),
  address,
);

describe('maskText', () => {
  it('leaves ordinary text unchanged', () => {
    fc.assert(fc.property(ordinary, (text) => {
        expect(maskText(text)).toBe(text);
      }), { numRuns: 500 });
  });

  it('no digit of an embedded ID (18 or 15 digits), mobile, card or street address survives; the words, county and township do', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(wordsOnly, sensitive), { minLength: 1, maxLength: 6 }), wordsOnly, (pairs, tail) => {
        const text = pairs.map(([w, s]) => `${w}，${s.text}，`).join('') + tail;
        const masked = maskText(text);
        expect(masked).not.toMatch(/\d/);
        for (const [w, s] of pairs) {
          expect(masked).toContain(w);
          if (s.kept) expect(masked).toContain(`，${s.kept}***，`);
        }
        expect(masked.endsWith(tail)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('examples, checked by hand', () => {
    expect(maskText('身份证号35072219900101123X，电话+86 138-0013-8000。')).toBe('身份证号******************，电话+** ***-****-****。');
    expect(maskText('身份证 350722 19900101 123x，座机0599-2821234')).toBe('身份证 ****** ******** ****，座机****-*******');
    // a first-generation number (15 digits, born 1965-03-08); 15 digits without a birth date in them are not one
    expect(maskText('老身份证350722650308123，编号350722651332123')).toBe('老身份证***************，编号350722651332123');
    expect(maskText('卡号6222021234567890128；另卡 6222 0212 3456 7890')).toBe('卡号*******************；另卡 **** **** **** ****');
    // not Luhn-valid, not in groups: an order number, not a card
    expect(maskText('订单号1234567890123456')).toBe('订单号1234567890123456');
    expect(maskText('住浦城县莲塘镇莲塘街18号3栋2单元501室')).toBe('住浦城县莲塘镇***');
    expect(maskText('依据国办发〔2018〕118号')).toBe('依据国办发〔2018〕118号');
    expect(maskText('张三与欧阳娜娜争执', { names: ['张三', '欧阳娜娜', undefined] })).toBe('张*与欧***争执');
  });
});

describe('minors', () => {
  it('birth date from the identity number; age on the decision date', () => {
    expect(birthDateOf('350722200803151234')).toBe('2008-03-15');
    expect(birthDateOf('35072220080230123X')).toBeUndefined();
    expect(ageOn('2008-03-15', '2026-03-14')).toBe(17);
    expect(ageOn('2008-03-15', '2026-03-15')).toBe(18);
  });

  it('a person under 18 on the decision date, or flagged, is a minor; an organisation is not', () => {
    expect(isMinorParty({ kind: 'person', idNumber: '350722200803151234' }, '2026-03-14')).toBe(true);
    expect(isMinorParty({ kind: 'person', idNumber: '350722200803151234' }, '2026-03-15')).toBe(false);
    expect(isMinorParty({ kind: 'person', minor: true }, '2026-03-15')).toBe(true);
    expect(isMinorParty({ kind: 'organization' }, '2026-03-15')).toBe(false);
  });

  it('luhnValid', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });
});
