import { describe, expect, it } from 'vitest';
import type { Claims } from '../../api/claims';
import { DEMO } from '../../db/seed';
import type { CaseView } from '../../domain/case';
import { actionsFor, awaitsAnswerFrom, progressOf } from '../../web/src/case/allowed';
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
});
