import { describe, expect, it } from 'vitest';
import type { Claims } from '../../api/claims';
import { DEMO } from '../../db/seed';
import type { CaseView } from '../../domain/case';
import { actionsFor, awaitsAnswerFrom, mayActOnDisclosure, maySummon, progressOf, summonsAwaitingAnswer } from '../../web/src/case/allowed';
import type { SummonedDepartment } from '../../domain/summons';
import { fixtureCase } from '../helpers/api';

/** Which forms the case page offers (the API does not list allowed actions; the console derives them with domain/procedure.ts). */
const township: Claims = { sub: 't', role: 'township', countyCode: DEMO.county, townshipCode: DEMO.township };
const otherTownship: Claims = { sub: 'o', role: 'township', countyCode: DEMO.county, townshipCode: DEMO.otherTownship };
const county: Claims = { sub: 'c', role: 'county', countyCode: DEMO.county, departmentCode: DEMO.departments.urbanManagement };
const supervisor: Claims = { sub: 's', role: 'supervisor', countyCode: DEMO.county };
const at = (overrides: Partial<CaseView>) => fixtureCase('allowed-1', overrides);

describe('actions the case page offers', () => {
  it('the stage action to the own township only; nothing to a supervisor or another township', () => {
    const c = at({ stage: 'capture' });
    // a dispatched work order (the fixture is a hotline case) may also be returned before assignment
    expect(actionsFor(township, c)).toEqual(['capture', 'return']);
    expect(actionsFor(township, at({ stage: 'capture', source: 'patrol' }))).toEqual(['capture']);
    expect(actionsFor(otherTownship, c)).toEqual([]);
    expect(actionsFor(supervisor, c)).toEqual([]);
    expect(actionsFor(township, at({ stage: 'verification', status: 'closed' }))).toEqual([]);
  });

  it('a transfer awaiting the county: no form for anyone, the answer form for that department only', () => {
    const c = at({ stage: 'assignment', handler: { level: 'county', departmentCode: DEMO.departments.urbanManagement } });
    expect(progressOf(c).awaiting).toBe('county-response');
    expect(actionsFor(township, c)).toEqual([]);
    expect(actionsFor(county, c)).toEqual([]);
    expect(awaitsAnswerFrom(county, c)).toBe(true);
    expect(awaitsAnswerFrom({ ...county, departmentCode: DEMO.departments.ecology }, c)).toBe(false);
  });

  it('an accepted transfer: the department handles it', () => {
    const c = at({ stage: 'handling', handler: { level: 'county', departmentCode: DEMO.departments.urbanManagement } });
    expect(actionsFor(county, c)).toEqual(['handle']);
    expect(awaitsAnswerFrom(county, c)).toBe(false);
    expect(actionsFor({ ...county, departmentCode: DEMO.departments.ecology }, c)).toEqual([]);
  });

  it('processing follows the penalty procedure; a running judicial transfer leaves nothing to do', () => {
    expect(actionsFor(township, at({ stage: 'processing', penalty: { paidAmount: 0 } }))).toEqual(['file', 'decide', 'preserve-evidence']);
    expect(actionsFor(township, at({ stage: 'processing', penalty: { paidAmount: 0, filedAt: '2026-11-30T09:00:00+08:00' } }))).toEqual(['notify-rights', 'decide', 'preserve-evidence']);
    expect(actionsFor(township, at({ stage: 'handling', handler: { level: 'judicial' } }))).toEqual([]);
  });

  it('吹哨: the own township summons while the case is handled or processed; nobody else, and not in other stages', () => {
    expect(maySummon(township, at({ stage: 'handling' }))).toBe(true);
    expect(maySummon(township, at({ stage: 'processing', penalty: { paidAmount: 0 } }))).toBe(true);
    expect(maySummon(township, at({ stage: 'capture' }))).toBe(false);
    expect(maySummon(township, at({ stage: 'verification' }))).toBe(false);
    expect(maySummon(township, at({ stage: 'handling', status: 'closed' }))).toBe(false);
    expect(maySummon(otherTownship, at({ stage: 'handling' }))).toBe(false);
    expect(maySummon(county, at({ stage: 'handling' }))).toBe(false);
    expect(maySummon(supervisor, at({ stage: 'handling' }))).toBe(false);
  });

  it('报到: a county department answers only its own pending or silent summons', () => {
    const summoned = (departmentCode: string, status: SummonedDepartment['status']): SummonedDepartment => ({
      summonsId: 'SUM-1',
      departmentCode,
      departmentName: departmentCode,
      reason: '联合执法',
      summonedBy: { sub: 't', role: 'township' },
      summonedAt: '2026-11-30T09:00:00.000+08:00',
      deadlineId: `d-${departmentCode}`,
      dueAt: '2026-12-01T09:00:00.000+08:00',
      status,
    });
    const c = at({ stage: 'handling', summons: [summoned(DEMO.departments.urbanManagement, 'pending'), summoned(DEMO.departments.ecology, 'reported')] });
    expect(summonsAwaitingAnswer(county, c).map((s) => s.departmentCode)).toEqual([DEMO.departments.urbanManagement]);
    expect(summonsAwaitingAnswer({ ...county, departmentCode: DEMO.departments.ecology }, c)).toEqual([]);
    expect(summonsAwaitingAnswer(township, c)).toEqual([]);
    const silent = at({ stage: 'handling', summons: [summoned(DEMO.departments.urbanManagement, 'silent')] });
    expect(summonsAwaitingAnswer(county, silent)).toHaveLength(1);
    const declined = at({ stage: 'handling', summons: [summoned(DEMO.departments.urbanManagement, 'declined')] });
    expect(summonsAwaitingAnswer(county, declined)).toEqual([]);
  });

  it('公示: the own township and admin publish or withdraw; another township, a county department, a supervisor do not', () => {
    const c = at({ stage: 'processing', status: 'closed' });
    expect(mayActOnDisclosure(township, c)).toBe(true);
    expect(mayActOnDisclosure({ sub: 'a', role: 'admin' }, c)).toBe(true);
    expect(mayActOnDisclosure(otherTownship, c)).toBe(false);
    expect(mayActOnDisclosure(county, c)).toBe(false);
    expect(mayActOnDisclosure(supervisor, c)).toBe(false);
  });
});
