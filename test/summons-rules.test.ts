import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor, CaseView } from '../domain/case';
import { REFUSAL } from '../domain/errors';
import { limitFor, DEFAULT_SLA_POLICY } from '../domain/sla';
import { checkSummons, checkSummonsAnswer, type SummonedDepartment } from '../domain/summons';
import { summonsAnswerSchema, summonsSchema } from '../domain/summons-schemas';

/** The summons rules that need no lookup (domain/summons.ts), as the workflow and the API apply them. */

const township: Actor = { sub: 'brigade-lt', role: 'township', unit: '350722101' };
const ecology: Actor = { sub: 'sthj-1', role: 'county', unit: '350722.sthj' };

function caseIn(stage: CaseView['stage'], summons: SummonedDepartment[] = [], status: CaseView['status'] = 'open'): CaseView {
  return { caseId: 'C1', stage, status, townshipCode: '350722101', countyCode: '350722', summons } as unknown as CaseView;
}
const summoned = (departmentCode: string, status: SummonedDepartment['status']): SummonedDepartment => ({
  summonsId: 'SUM-9',
  departmentCode,
  departmentName: departmentCode,
  reason: '联合执法',
  summonedBy: township,
  summonedAt: '2031-03-07T10:00:00.000+08:00',
  deadlineId: 'summons-3',
  dueAt: '2031-03-11T00:00:00.000+08:00',
  status,
});

describe('summons body', () => {
  it('refuses any list that names a department twice, at the repeated position; accepts every list of distinct codes', () => {
    const code = fc.stringMatching(/^[a-z0-9.]{1,12}$/);
    fc.assert(
      fc.property(fc.uniqueArray(code, { minLength: 1, maxLength: 10 }), fc.nat(), (codes, pick) => {
        expect(summonsSchema().safeParse({ departmentCodes: codes, reason: '联合执法' }).success).toBe(true);
        const repeated = codes[pick % codes.length]!;
        const parsed = summonsSchema().safeParse({ departmentCodes: [...codes, repeated], reason: '联合执法' });
        expect(parsed.success).toBe(false);
        expect(parsed.error!.issues.map((i) => i.path.join('.'))).toEqual([`departmentCodes.${codes.length}`]);
      }),
    );
  });

  it('needs at least one department and a reason; a decline needs its reason, a report does not', () => {
    expect(summonsSchema().safeParse({ departmentCodes: [], reason: 'x' }).success).toBe(false);
    expect(summonsSchema().safeParse({ departmentCodes: ['350722.sthj'], reason: ' ' }).success).toBe(false);
    expect(summonsAnswerSchema().safeParse({ answer: 'decline' }).error?.issues[0]?.path).toEqual(['reason']);
    expect(summonsAnswerSchema().safeParse({ answer: 'report' }).success).toBe(true);
  });
});

describe('who may summon and answer, and when', () => {
  it('the township of the case, while it is handled or processed, not for a department still awaiting its answer', () => {
    const body = { departmentCodes: ['350722.sthj'], reason: '联合执法' };
    expect(checkSummons(caseIn('handling'), body, township)).toBeUndefined();
    expect(checkSummons(caseIn('processing'), body, township)).toBeUndefined();
    expect(checkSummons(caseIn('capture'), body, township)?.type).toBe(REFUSAL.wrongStage);
    expect(checkSummons(caseIn('handling', [], 'closed'), body, township)?.type).toBe(REFUSAL.wrongStage);
    expect(checkSummons(caseIn('handling'), body, { ...township, unit: '350722102' })?.type).toBe(REFUSAL.notAllowed);
    expect(checkSummons(caseIn('handling'), body, ecology)?.type).toBe(REFUSAL.notAllowed);
    expect(checkSummons(caseIn('handling', [summoned('350722.sthj', 'silent')]), body, township)).toMatchObject({
      type: REFUSAL.wrongStage,
      details: { awaiting: ['350722.sthj'] },
    });
    // a department that answered may be summoned again
    expect(checkSummons(caseIn('handling', [summoned('350722.sthj', 'declined')]), body, township)).toBeUndefined();
  });

  it('a department answers only its own open summons (pending or silent)', () => {
    const c = caseIn('handling', [summoned('350722.sthj', 'silent'), summoned('350722.scjg', 'reported')]);
    expect(checkSummonsAnswer(c, '350722.sthj', ecology)).toBeUndefined();
    expect(checkSummonsAnswer(c, '350722.scjg', ecology)?.type).toBe(REFUSAL.notAllowed);
    expect(checkSummonsAnswer(c, '350722.scjg', { ...ecology, unit: '350722.scjg' })?.type).toBe(REFUSAL.wrongStage);
    expect(checkSummonsAnswer(c, '350722.jtj', { ...ecology, unit: '350722.jtj' })?.type).toBe(REFUSAL.notFound);
  });

  it('the bounce limit defaults to 2 for a policy that predates it', () => {
    const { limits: _, ...older } = DEFAULT_SLA_POLICY;
    expect(limitFor(older, 'bounces')).toBe(2);
    expect(limitFor({ ...older, limits: { bounces: 5 } }, 'bounces')).toBe(5);
  });
});
