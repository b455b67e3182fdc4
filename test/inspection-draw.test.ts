import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CREDIT_CLASSES,
  draw,
  freezePool,
  poolHashOf,
  rankDigest,
  seedFrom,
  sha256Hex,
  stratumSize,
  verifyDraw,
  weightedDigest,
  complaintWeight,
  type Candidate,
  type DrawInputs,
  type InspectorCandidate,
  type Recusal,
} from '../domain/inspection-draw';

const TOWNSHIPS = ['350722101', '350722102', '350722103'];
const DATE = '2026-12-01';

const candidateArb = fc.record({
  id: fc.stringMatching(/^EO-[0-9A-Z]{1,6}$/),
  creditClass: fc.constantFrom(...CREDIT_CLASSES),
  townshipCode: fc.constantFrom(...TOWNSHIPS),
});
const poolArb = fc.uniqueArray(candidateArb, { selector: (c) => c.id, minLength: 1, maxLength: 120 });
const ratiosArb = fc.record(
  { A: fc.double({ min: 0, max: 1, noNaN: true }), B: fc.double({ min: 0, max: 1, noNaN: true }), C: fc.integer({ min: 0, max: 100 }).map((p) => p / 100), D: fc.constant(1) },
  { requiredKeys: ['D'] },
);
const seedArb = fc.tuple(fc.constantFrom('2026-11-30', '2026-12-01'), fc.array(fc.integer({ min: 0, max: 9 }).map(String), { minLength: 3, maxLength: 7 })).map(([d, v]) => seedFrom(d, v));

/** A certified officer of a brigade (township) or a department, who may enforce market supervision. */
function officer(id: string, unit: { township?: string; department?: string }, extra: Partial<InspectorCandidate> = {}): InspectorCandidate {
  return {
    id,
    townshipCode: unit.township ?? null,
    departmentCode: unit.department ?? null,
    domains: ['market_supervision'],
    certificateNo: `CERT-${id}`,
    validFrom: '2024-01-01',
    validUntil: '2028-12-31',
    active: true,
    retiredAt: null,
    suspendedFrom: null,
    suspendedUntil: null,
    ...extra,
  };
}
const rosterArb = fc
  .uniqueArray(
    fc.record({ id: fc.stringMatching(/^OF-[0-9]{1,4}$/), unit: fc.constantFrom(...TOWNSHIPS, 'DEPT-scjg') }),
    { selector: (o) => o.id, minLength: 0, maxLength: 25 },
  )
  .map((rows) => rows.map((r) => officer(r.id, r.unit.startsWith('DEPT') ? { department: r.unit } : { township: r.unit })));

function inputs(pool: Candidate[], ratios: DrawInputs['ratios'], seed: string, officers: InspectorCandidate[], recusals: Recusal[] = [], recuseOwnTownship = true): DrawInputs {
  return {
    pool: freezePool(pool),
    ratios,
    seed,
    inspectionDate: DATE,
    officers,
    recusals,
    rules: { itemDomains: ['market_supervision'], units: [], recuseOwnTownship, inspectorsPerObject: 2 },
  };
}

describe('双随机 draw (domain/inspection-draw.ts)', () => {
  it('ranks by SHA-256(id + "/" + seed) and hashes the pool over the sorted ids (hand-checked digests)', () => {
    // printf 'EO-1/2026-11-30/3.8.1' | sha256sum
    expect(seedFrom('2026-11-30', ['3', '8', '1'])).toBe('2026-11-30/3.8.1');
    expect(rankDigest('EO-1', '2026-11-30/3.8.1')).toBe(sha256Hex('EO-1/2026-11-30/3.8.1'));
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(freezePool([{ id: 'b', creditClass: 'A', townshipCode: 'x' }, { id: 'a', creditClass: 'B', townshipCode: 'x' }]).poolHash).toBe(sha256Hex('a\nb'));
    expect(stratumSize(0.07, 100)).toBe(7);
    expect(stratumSize(0.05, 41)).toBe(3);
    expect(stratumSize(0, 10)).toBe(0);
  });

  it('same inputs → same draw, whatever order the candidates arrive in', () => {
    fc.assert(
      fc.property(poolArb, ratiosArb, seedArb, rosterArb, (pool, ratios, seed, officers) => {
        const first = draw(inputs(pool, ratios, seed, officers));
        const shuffled = [...pool].reverse();
        const second = draw(inputs(shuffled, ratios, seed, [...officers].reverse()));
        expect(second).toEqual(first);
      }),
      { numRuns: 200 },
    );
  });

  it('draws ceil(ratio × n) objects from each credit-risk stratum, all from that stratum', () => {
    fc.assert(
      fc.property(poolArb, ratiosArb, seedArb, (pool, ratios, seed) => {
        const out = draw(inputs(pool, ratios, seed, []));
        for (const s of out.strata) {
          const members = pool.filter((c) => c.creditClass === s.creditClass);
          expect(s.size).toBe(members.length);
          const expected = Math.min(members.length, Math.ceil(Number((s.ratio * members.length).toFixed(9))));
          expect(s.objectIds).toHaveLength(expected);
          expect(new Set(s.objectIds).size).toBe(expected);
          for (const id of s.objectIds) expect(members.some((m) => m.id === id)).toBe(true);
        }
        expect(out.strata.map((s) => s.creditClass)).toEqual(CREDIT_CLASSES.filter((c) => ratios[c] !== undefined));
      }),
      { numRuns: 200 },
    );
  });

  it('never draws a recused inspector, nor a brigade officer of the object\'s own township, nor an uncertified one', () => {
    fc.assert(
      fc.property(poolArb, seedArb, rosterArb, fc.array(fc.nat(), { maxLength: 10 }), (pool, seed, roster, picks) => {
        const officers = roster.map((o, i) => (i % 5 === 4 ? { ...o, suspendedFrom: '2026-11-01', suspendedUntil: '2026-12-31' } : o));
        const recusals: Recusal[] = picks.flatMap((p, i) => {
          const o = officers[p % Math.max(1, officers.length)];
          const c = pool[(p + i) % pool.length]!;
          return o ? [i % 2 === 0 ? { officerId: o.id, objectId: c.id } : { officerId: o.id, townshipCode: c.townshipCode }] : [];
        });
        const out = draw(inputs(pool, { A: 1, B: 1, C: 1, D: 1 }, seed, officers, recusals));
        const assignments = out.status === 'accepted' ? out.assignments : [];
        const byId = new Map(pool.map((c) => [c.id, c]));
        for (const a of assignments) {
          const object = byId.get(a.objectId)!;
          expect(a.officerIds).toHaveLength(2);
          for (const officerId of a.officerIds) {
            const o = officers.find((x) => x.id === officerId)!;
            expect(recusals.some((r) => r.officerId === officerId && (r.objectId === object.id || r.townshipCode === object.townshipCode))).toBe(false);
            expect(o.townshipCode).not.toBe(object.townshipCode);
            expect(o.suspendedFrom).toBeNull();
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuses with insufficient_inspectors naming the object when fewer than two are eligible', () => {
    fc.assert(
      fc.property(poolArb, seedArb, fc.integer({ min: 0, max: 1 }), (pool, seed, n) => {
        // n eligible officers; the others are expired, of another domain, retired, suspended that day or recused
        const officers = [
          ...Array.from({ length: n }, (_, k) => officer(`OF-D${k}`, { department: 'DEPT-scjg' })),
          officer('OF-X1', { department: 'DEPT-scjg' }, { validUntil: '2026-11-30' }),
          officer('OF-X2', { department: 'DEPT-scjg' }, { domains: ['transport'] }),
          officer('OF-X3', { department: 'DEPT-scjg' }, { active: false, retiredAt: '2026-06-30T00:00:00.000+08:00' }),
          officer('OF-X4', { department: 'DEPT-scjg' }, { suspendedFrom: '2026-12-01', suspendedUntil: '2026-12-01' }),
          officer('OF-X5', { department: 'DEPT-scjg' }),
        ];
        const recusals: Recusal[] = pool.map((c) => ({ officerId: 'OF-X5', objectId: c.id }));
        const out = draw(inputs(pool, { A: 1, B: 1, C: 1, D: 1 }, seed, officers, recusals));
        expect(out.status).toBe('refused');
        if (out.status !== 'refused') return;
        const first = out.strata.flatMap((s) => s.objectIds)[0];
        expect(out.refusal).toMatchObject({ code: 'insufficient_inspectors', objectId: first, eligible: n, needed: 2 });
        expect(out.refusal.message).toContain(first!);
      }),
      { numRuns: 100 },
    );
  });

  it('verify recomputes the recorded draw and agrees; a tampered record does not', () => {
    fc.assert(
      fc.property(poolArb, ratiosArb, seedArb, rosterArb, (pool, ratios, seed, officers) => {
        const recorded = inputs(pool, ratios, seed, officers);
        const outcome = draw(recorded);
        expect(verifyDraw(recorded, outcome)).toMatchObject({ agrees: true, differences: [] });
        const otherSeed = draw({ ...recorded, seed: `${seed}.0` });
        const sameObjects = JSON.stringify(otherSeed.strata) === JSON.stringify(outcome.strata);
        if (!sameObjects) expect(verifyDraw(recorded, otherSeed).agrees).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('changing one candidate changes the pool hash', () => {
    fc.assert(
      fc.property(poolArb, fc.nat(), fc.stringMatching(/^EO-[0-9A-Z]{1,6}$/), (pool, i, newId) => {
        fc.pre(!pool.some((c) => c.id === newId));
        const before = freezePool(pool).poolHash;
        const changed = pool.map((c, j) => (j === i % pool.length ? { ...c, id: newId } : c));
        expect(freezePool(changed).poolHash).not.toBe(before);
        expect(freezePool(pool.slice(1)).poolHash === before).toBe(pool.length === 0);
        expect(poolHashOf(freezePool(pool).candidates.map((c) => c.id))).toBe(before);
      }),
      { numRuns: 200 },
    );
  });

  it('weighting up by complaints: weight 1 is the plain formula, more tickets never rank an object later, and the draw stays recomputable', () => {
    expect(weightedDigest({ id: 'EO-1' }, 's')).toBe(rankDigest('EO-1', 's'));
    expect([0, 1, 2, 3, 9].map(complaintWeight)).toEqual([1, 2, 3, 4, 4]);
    fc.assert(
      fc.property(poolArb, seedArb, fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 120, maxLength: 120 }), (pool, seed, weights) => {
        const weighted = pool.map((c, i) => ({ ...c, weight: weights[i]! }));
        for (const c of weighted) expect(weightedDigest(c, seed) <= weightedDigest({ ...c, weight: c.weight - 1 || 1 }, seed)).toBe(true);
        // all weights 1: the same draw as an unweighted pool
        expect(draw(inputs(pool.map((c) => ({ ...c, weight: 1 })), { A: 0.3, B: 0.3, C: 0.3, D: 0.3 }, seed, [])).strata).toEqual(draw(inputs(pool, { A: 0.3, B: 0.3, C: 0.3, D: 0.3 }, seed, [])).strata);
        const recorded = inputs(weighted, { A: 0.3, B: 0.5, C: 0.2, D: 1 }, seed, []);
        expect(verifyDraw(recorded, draw(recorded)).agrees).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
