import { describe, expect, it } from 'vitest';
import { createRegistryRow, scopeOf } from '../../api/read-model/registries';
import { matters, officers, REGISTRIES } from '../../api/read-model/registry-definitions';
import { linkPartyToEnforcementObject } from '../../activities/registries';
import { DEMO } from '../../db/seed';
import { REFUSAL } from '../../domain/errors';
import { bearer, buildTestApp } from '../helpers/api';
import { useTestPool } from '../helpers/db';
import { act, hotlineCase, keepHistory, newCaseId, refusalOf, settled, useCaseRig, view, type CaseHandle } from './rig';

/**
 * Issue 10, cases that use the registries: the captured party linked to its enforcement object,
 * routing by the county's responsibility list, and certificates (suspended, retired) at assignment.
 */

const pool = useTestPool();
const rig = useCaseRig(pool, 'registries');
const pid = process.pid;
const CITY_ADMIN = scopeOf({ sub: 'admin-city', role: 'admin' });

/** Cases of 南浦街道 (a street of the county): this file adds officers to its brigade, which no other file lists. */
async function toCapture(label: string): Promise<CaseHandle> {
  const handle = await rig.start(hotlineCase(newCaseId(label), { townshipCode: DEMO.street, gridCode: undefined }));
  const opened = await view(handle);
  await act(handle, { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: opened.openedAt, findings: '占道经营' } });
  await act(handle, { action: 'confirm', body: { confirmed: true } });
  return handle;
}

describe('the party of a case and the enforcement-object roster', () => {
  it('a party captured with the credit code of an existing object is linked to it', async () => {
    const handle = await toCapture('linked');
    // EO-0001's demo credit code (check character 9, hand-checked against GB 32100-2015)
    await act(handle, { action: 'capture', body: { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'organization', name: '顺丰农资', creditCode: '92350722MA2Y000019' } } });
    const c = await settled(handle, pool);
    const row = await pool.query('SELECT enforcement_object_id FROM cases WHERE case_id = $1', [c.caseId]);
    expect(row.rows).toEqual([{ enforcement_object_id: DEMO.enforcementObjects.township }]);

    // The object's page lists the case for the county's supervisor (an inspection would be listed apart).
    const { app } = await buildTestApp(pool);
    try {
      const page = await app.inject({ method: 'GET', url: `/v1/enforcement-objects/${DEMO.enforcementObjects.township}`, headers: bearer('supervisor') });
      expect(page.statusCode, page.body).toBe(200);
      const body = page.json() as { cases: { caseId: string; source: string; matterCode: string }[]; inspections: unknown[] };
      expect(body.cases).toContainEqual(expect.objectContaining({ caseId: c.caseId, source: 'hotline', matterCode: DEMO.matters.townshipPenalty }));
      expect(body.inspections.every((i) => (i as { source: string }).source === 'inspection')).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('a party nobody knows becomes a new object of the case township, audited as made by the capture', async () => {
    const handle = await toCapture('new-party');
    const idNumber = '350722199203040017';
    await act(handle, { action: 'capture', body: { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '新某', idNumber } } });
    const c = await settled(handle, pool);
    const linked = await pool.query<{ id: string; kind: string; name: string; township_code: string; address: string }>(
      `SELECT o.id, o.kind, o.name, o.township_code, o.address FROM cases c JOIN enforcement_objects o ON o.id = c.enforcement_object_id WHERE c.case_id = $1`,
      [c.caseId],
    );
    expect(linked.rows).toEqual([{ id: expect.stringMatching(/^EO-[0-9a-f]{16}$/), kind: 'person', name: '新某', township_code: DEMO.street, address: '浦城县莲塘镇莲塘街 18 号' }]);
    const audit = await pool.query(`SELECT action, actor, after FROM registry_changes WHERE registry = 'enforcement-objects' AND row_key = $1`, [linked.rows[0]!.id]);
    expect(audit.rows).toEqual([
      {
        action: 'create',
        actor: `capture:${c.caseId}`,
        after: {
          id: linked.rows[0]!.id,
          kind: 'person',
          name: '新某',
          // no idNumber: this one fails its check digit, so the roster does not keep it (the object is keyed by it)
          address: '浦城县莲塘镇莲塘街 18 号',
          townshipCode: DEMO.street,
          countyCode: DEMO.county,
          creditClass: 'B',
          version: 1,
        },
      },
    ]);
    // The link retried (the projection's local activity ran again): nothing changes, nothing more is audited.
    await linkPartyToEnforcementObject(pool, c);
    expect((await pool.query('SELECT count(*)::int AS n FROM registry_changes WHERE row_key = $1', [linked.rows[0]!.id])).rows).toEqual([{ n: 1 }]);

    // A second case about the same person finds that object.
    const second = await toCapture('same-party');
    await act(second, { action: 'capture', body: { matterCode: DEMO.matters.townshipPenalty2, party: { kind: 'person', name: '新某', idNumber } } });
    const c2 = await settled(second, pool);
    const again = await pool.query('SELECT enforcement_object_id FROM cases WHERE case_id = $1', [c2.caseId]);
    expect(again.rows).toEqual([{ enforcement_object_id: linked.rows[0]!.id }]);
  });
});

describe('routing by the responsibility list', () => {
  it('proposes the primary unit on the case and tells each cooperating unit', async () => {
    // A matter of this test's own, so no other test's case meets the list item.
    const matterCode = `T-RT-${pid}`;
    await createRegistryRow(
      pool,
      matters,
      { code: matterCode, name: '对测试事项的处罚', category: 'penalty', level: 'township', domain: 'urban_management', legalBasis: '《测试条例》第一条', primaryResponsibility: '乡镇综合执法大队', discretionBands: [] },
      'admin-city',
      CITY_ADMIN,
    );
    const itemId = `RL-T${pid}`;
    await createRegistryRow(
      pool,
      REGISTRIES['responsibility-lists'],
      { id: itemId, countyCode: DEMO.county, itemName: '测试事项的查处', matterCode, primaryUnit: 'township', cooperatingUnits: [DEMO.departments.urbanManagement, DEMO.departments.marketSupervision], demo: false },
      'admin-city',
      scopeOf({ sub: 'admin-city', role: 'admin' }, DEMO.county),
    );

    const handle = await toCapture('routing');
    let c = await act(handle, { action: 'capture', body: { matterCode, party: { kind: 'person', name: '某某' } } });
    const routing = { primaryUnit: 'township', cooperatingUnits: [DEMO.departments.urbanManagement, DEMO.departments.marketSupervision], listItem: { id: itemId, name: '测试事项的查处', version: 1 } };
    expect(c.stage).toBe('assignment');
    expect(c.routing).toEqual(routing);
    const captured = c.timeline.find((e) => e.type === 'information_captured')!;
    expect(captured.data).toMatchObject({ routing, matter: { code: matterCode, version: 1 } });
    c = await settled(handle, pool);
    const told = await pool.query(`SELECT recipient, payload->'listItem'->>'id' AS item FROM outbox WHERE case_id = $1 AND channel = 'responsibility' ORDER BY recipient`, [c.caseId]);
    expect(told.rows).toEqual([
      { recipient: `department:${DEMO.departments.urbanManagement}`, item: itemId },
      { recipient: `department:${DEMO.departments.marketSupervision}`, item: itemId },
    ]);

    // The case goes on as any other: the proposal is advice, the township assigns and closes it.
    c = await act(handle, { action: 'assign', body: { level: 'township', officerIds: [`OF-${DEMO.street}-01`, `OF-${DEMO.street}-02`] } });
    c = await act(handle, { action: 'handle', body: { outcome: 'corrected', notes: '当场改正' } });
    c = await act(handle, { action: 'verify', body: { passed: true } });
    expect(c).toMatchObject({ status: 'closed', resolution: 'resolved', routing });
    // (a hotline case then waits for the platform's callback window; its history so far is what replay needs)
    await settled(handle, pool);
    await keepHistory(handle, 'responsibility-routing');
  });

  it('a matter without an item in the county list gets no proposal', async () => {
    // the demo lists link every demo matter: a matter of this test's own has no item
    const matterCode = `T-UL-${pid}`;
    await createRegistryRow(
      pool,
      matters,
      { code: matterCode, name: '对未列入清单事项的处罚', category: 'penalty', level: 'township', domain: 'urban_management', legalBasis: '《测试条例》第二条', primaryResponsibility: '乡镇综合执法大队', discretionBands: [] },
      'admin-city',
      CITY_ADMIN,
    );
    const handle = await toCapture('unlisted');
    const c = await act(handle, { action: 'capture', body: { matterCode, party: { kind: 'person', name: '某某' } } });
    expect(c.routing).toBeUndefined();
  });
});

describe('certificates at assignment', () => {
  it('a suspended or retired officer is refused with the reason; the act records the certificates it relied on', async () => {
    const suspended = `OF-T${pid}-susp`;
    const retired = `OF-T${pid}-ret`;
    const unit = { townshipCode: DEMO.street, domains: [], active: true, validFrom: '2024-01-01', validUntil: '2099-12-31' };
    await createRegistryRow(pool, officers, { id: suspended, name: '停某', certificateNo: '闽执SUSP', suspendedFrom: '2020-01-01', suspendedUntil: '2099-12-31', ...unit }, 'admin-city', CITY_ADMIN);
    await createRegistryRow(pool, officers, { id: retired, name: '退某', certificateNo: '闽执RET', ...unit }, 'admin-city', CITY_ADMIN);
    await pool.query(`UPDATE officers SET retired_at = '2025-01-02T00:00:00+08:00', active = false WHERE id = $1`, [retired]);
    const ecologyOnly = `OF-T${pid}-eco`;
    await createRegistryRow(pool, officers, { id: ecologyOnly, name: '环某', certificateNo: '闽执ECO', ...unit, domains: ['ecology'] }, 'admin-city', CITY_ADMIN);

    const handle = await toCapture('certificates');
    await act(handle, { action: 'capture', body: { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '某某' } } });
    // the street's brigade: 01–03 certified in the demo roster (db/seed.ts)
    const [a, b] = [`OF-${DEMO.street}-01`, `OF-${DEMO.street}-02`];
    const refusal = await refusalOf(act(handle, { action: 'assign', body: { level: 'township', officerIds: [a, suspended, retired, ecologyOnly] } }));
    expect(refusal.type).toBe(REFUSAL.businessRule);
    expect(refusal.message).toContain(`${suspended}: certificate suspended from 2020-01-01 until 2099-12-31`);
    expect(refusal.message).toContain(`${retired}: officer retired on 2025-01-02`);
    // 占道经营 is an urban-management matter; this officer's roster entry lists ecology only
    expect(refusal.message).toContain(`${ecologyOnly}: may enforce ecology, not urban_management (matter ${DEMO.matters.townshipPenalty})`);

    const c = await act(handle, { action: 'assign', body: { level: 'township', officerIds: [a, b, suspended] } });
    expect(c.handler.officerIds).toEqual([a, b]);
    const assigned = c.timeline.find((e) => e.type === 'assigned_to_brigade')!;
    expect(assigned.data).toMatchObject({
      refused: [{ officerId: suspended, reason: 'certificate suspended from 2020-01-01 until 2099-12-31' }],
      certificates: [
        { officerId: a, certificateNo: expect.stringMatching(/^闽执/), validFrom: '2023-01-01', validUntil: DEMO.certificates.validUntil, registryVersion: expect.any(Number) },
        { officerId: b, certificateNo: expect.stringMatching(/^闽执/), validFrom: '2023-01-01', validUntil: DEMO.certificates.validUntil, registryVersion: expect.any(Number) },
      ],
    });
  });
});
