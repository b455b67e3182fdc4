import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { creditCodeCheckCharacter, creditCodeProblem, idNumberCheckCharacter, idNumberProblem, maskIdNumber } from '../domain/identifiers';
import { certificateRefusal } from '../domain/registries';

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'.split('');
const DIGITS = '0123456789'.split('');

/** Any well-formed first 17 characters of a credit code: 2 code characters, a 6-digit region, 9 code characters. */
const first17 = fc
  .tuple(fc.array(fc.constantFrom(...ALPHABET), { minLength: 2, maxLength: 2 }), fc.array(fc.constantFrom(...DIGITS), { minLength: 6, maxLength: 6 }), fc.array(fc.constantFrom(...ALPHABET), { minLength: 9, maxLength: 9 }))
  .map(([a, b, c]) => [...a, ...b, ...c].join(''));

describe('统一社会信用代码 (GB 32100-2015)', () => {
  it('accepts published codes and refuses them with one character changed', () => {
    // Hand-checked examples: the standard's own example and a registered company's code.
    expect(creditCodeProblem('91350100M000100Y43')).toBeUndefined();
    expect(creditCodeProblem('91110000600037341L')).toBeUndefined();
    expect(creditCodeProblem('91350100M000100Y44')).toMatch(/check character/);
    expect(creditCodeProblem('91350100M000100Y4')).toMatch(/18 characters/);
    expect(creditCodeProblem('91350100M000100O43')).toMatch(/capitals other than I, O/);
  });

  it('a valid code with any one character changed (to another allowed one) fails', () => {
    fc.assert(
      fc.property(first17, fc.nat(17), fc.constantFrom(...ALPHABET), (head, position, replacement) => {
        const valid = `${head}${creditCodeCheckCharacter(head)}`;
        expect(creditCodeProblem(valid)).toBeUndefined();
        // the region (3–8) takes digits only: a letter there is refused by shape, a digit by the check character
        const allowed = position >= 2 && position <= 7 && !DIGITS.includes(replacement) ? '0' : replacement;
        fc.pre(valid.charAt(position) !== allowed);
        const changed = `${valid.slice(0, position)}${allowed}${valid.slice(position + 1)}`;
        expect(creditCodeProblem(changed)).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });
});

describe('公民身份号码 (GB 11643)', () => {
  it('checks the check digit and the birth date', () => {
    expect(idNumberProblem('11010519491231002X')).toBeUndefined(); // the standard's example
    expect(idNumberProblem('110105194912310021')).toMatch(/check digit/);
    expect(idNumberProblem('110105194913310028')).toMatch(/birth date/);
  });

  it('a valid number with one digit changed fails', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...DIGITS), { minLength: 3, maxLength: 3 }),
        fc.date({ min: new Date('1930-01-01'), max: new Date('2020-12-31'), noInvalidDate: true }),
        fc.nat(16),
        fc.constantFrom(...DIGITS),
        (seq, birth, position, digit) => {
          const head = `350722${birth.toISOString().slice(0, 10).replace(/-/g, '')}${seq.join('')}`;
          const valid = `${head}${idNumberCheckCharacter(head)}`;
          expect(idNumberProblem(valid)).toBeUndefined();
          // refused by its shape, its birth date or (always, as every weight is non-zero mod 11) its check digit
          fc.pre(valid.charAt(position) !== digit);
          expect(idNumberProblem(`${valid.slice(0, position)}${digit}${valid.slice(position + 1)}`)).toBeDefined();
        },
      ),
    );
  });

  it('masks all but the region and the last four', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
  });
});

describe('an officer is certified on a day', () => {
  const officer = { certificateNo: '闽执001', validFrom: '2024-01-01', validUntil: '2028-12-31', active: true };
  it('within validity, active, not retired, not suspended that day', () => {
    expect(certificateRefusal(officer, '2026-03-02')).toBeUndefined();
    expect(certificateRefusal(officer, '2029-01-01')).toBe('certificate expired on 2028-12-31');
    expect(certificateRefusal({ ...officer, suspendedFrom: '2026-03-01', suspendedUntil: '2026-03-31' }, '2026-03-02')).toBe(
      'certificate suspended from 2026-03-01 until 2026-03-31',
    );
    expect(certificateRefusal({ ...officer, suspendedFrom: '2026-03-01', suspendedUntil: '2026-03-31' }, '2026-04-01')).toBeUndefined();
    expect(certificateRefusal({ ...officer, active: false, retiredAt: '2026-02-01T10:00:00.000+08:00' }, '2026-03-02')).toBe('officer retired on 2026-02-01');
  });
});
