import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lateSurcharge, withLateSurcharge } from '../domain/statutory';
import type { CaseView } from '../domain/case';

/**
 * 加处罚款 (行政处罚法 Arts 72, 73) as a function of recorded dates. The dated scenarios on the
 * time-skipping server are in test/workflows/statutory.test.ts; here its properties over generated dates.
 */
const DUE = '2026-09-29T00:00:00.000+08:00'; // the payment deadline's last day was Mon 28 Sep 2026
const DAY = 86_400_000;
const dayOf = (n: number) => Date.parse(DUE) + (n - 1) * DAY + 12 * 3600_000; // noon of day n

describe('late surcharge', () => {
  it('on the local day: 23:59 of the last payment day owes nothing, 00:00 the next day owes day 1', () => {
    expect(lateSurcharge({ fine: 5000, paymentDueAt: DUE }, Date.parse('2026-09-28T23:59:59+08:00'))).toMatchObject({ days: 0, accrued: 0 });
    expect(lateSurcharge({ fine: 5000, paymentDueAt: DUE }, Date.parse('2026-09-29T00:00:00+08:00'))).toMatchObject({ days: 1, accrued: 150 });
    // 16:00 UTC on 28 Sep is already 00:00 on 29 Sep in Shanghai
    expect(lateSurcharge({ fine: 5000, paymentDueAt: DUE }, Date.parse('2026-09-28T16:00:00Z'))).toMatchObject({ days: 1 });
  });

  it('whole cents: 3% of 333.33 a day', () => {
    expect(lateSurcharge({ fine: 333.33, paymentDueAt: DUE }, dayOf(1))).toMatchObject({ accrued: 10 });
    expect(lateSurcharge({ fine: 333.33, paymentDueAt: DUE }, dayOf(3))).toMatchObject({ accrued: 30 });
    expect(lateSurcharge({ fine: 333.33, paymentDueAt: DUE }, dayOf(40))).toMatchObject({ accrued: 333.33, capped: true });
  });

  it('never more than the fine, never less as time passes, capped exactly from day 34', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 0, max: 30 }), (fine, day, later) => {
        const s = lateSurcharge({ fine, paymentDueAt: DUE }, dayOf(day))!;
        const t = lateSurcharge({ fine, paymentDueAt: DUE }, dayOf(day + later))!;
        expect(s.days).toBe(day);
        expect(s.accrued).toBeLessThanOrEqual(fine);
        expect(t.accrued).toBeGreaterThanOrEqual(s.accrued);
        expect(s.capped).toBe(day >= 34);
      }),
    );
  });

  it('a reconsideration or lawsuit takes exactly its days (filed through decided) out of the count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 200 }), (filed, length, asOf) => {
        const appeal = { kind: 'lawsuit' as const, filedAt: new Date(dayOf(filed)).toISOString(), decidedAt: new Date(dayOf(filed + length)).toISOString(), upheld: true };
        const plain = lateSurcharge({ fine: 100_000, paymentDueAt: DUE }, dayOf(asOf))!;
        const withAppeal = lateSurcharge({ fine: 100_000, paymentDueAt: DUE, appeals: [appeal] }, dayOf(asOf))!;
        const overlap = Math.max(0, Math.min(asOf, filed + length) - Math.max(1, filed) + 1);
        expect(withAppeal.days).toBe(plain.days - overlap);
        expect(withAppeal.suspended).toBe(asOf >= filed && asOf <= filed + length);
      }),
    );
  });

  it('stops the day the fine is paid in full; a revoked penalty owes nothing', () => {
    expect(lateSurcharge({ fine: 5000, paymentDueAt: DUE, paidInFullAt: new Date(dayOf(3)).toISOString() }, dayOf(20))).toMatchObject({ days: 3, accrued: 450 });
    expect(lateSurcharge({ fine: 5000, paymentDueAt: DUE, revoked: true }, dayOf(20))).toBeUndefined();
  });

  it('the read projection shows it only for a served fine whose payment deadline passed unmet', () => {
    const view = {
      penalty: { kind: 'penalty', fine: 5000, servedAt: '2026-09-10T10:00:00+08:00', paidAmount: 0 },
      deadlines: [{ kind: 'payment', status: 'lapsed', dueAt: DUE }],
    } as unknown as CaseView;
    expect(withLateSurcharge(view, dayOf(2)).penalty?.surcharge).toMatchObject({ days: 2, accrued: 300 });
    expect(withLateSurcharge(view, Date.parse(DUE) - 1).penalty?.surcharge).toBeUndefined();
    const paidInTime = { ...view, deadlines: [{ kind: 'payment', status: 'met', dueAt: DUE }] } as unknown as CaseView;
    expect(withLateSurcharge(paidInTime, dayOf(2)).penalty?.surcharge).toBeUndefined();
  });
});
