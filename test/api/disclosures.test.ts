import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { maskPersonName, type Disclosure } from '../../api/read-model/disclosures';
import type { CaseView, Party, Penalty } from '../../domain/case';
import { DEMO } from '../../db/seed';
import { buildTestApp } from '../helpers/api';
import { scratchDatabase } from '../helpers/db';
import { project, snapshot } from '../helpers/read-model';

/**
 * GET /v1/public/disclosures (公示), no auth. Disclosures are city-wide, so exact lists need a database of
 * this file's own.
 */
let db: Awaited<ReturnType<typeof scratchDatabase>>;
let pool: Pool;
let app: FastifyInstance;

const ID_NUMBER = '350722199001011234';
const person = (name: string): Party => ({ kind: 'person', name, idNumber: ID_NUMBER });
const penalty = (p: Partial<Penalty>): Penalty => ({ paidAmount: 0, ...p });

function decided(caseId: string, party: Party, p: Penalty, extra: Partial<CaseView> = {}): CaseView {
  return snapshot(caseId, DEMO.county, DEMO.township, {
    stage: 'processing',
    matterCode: DEMO.matters.townshipPenalty,
    party,
    penalty: p,
    reporter: { name: '举报人王五', phone: '13800000000' },
    ...extra,
  });
}

const closed = (at: string): Partial<CaseView> => ({ status: 'closed', stage: 'review', resolution: 'penalty_paid', closedAt: at });

beforeAll(async () => {
  db = await scratchDatabase();
  pool = db.pool;
  const cases = [
    decided('DSC-1', person('张三'), penalty({ kind: 'penalty', fine: 200, decidedAt: '2026-03-05T10:00:00.000+08:00', paidAmount: 200 }), closed('2026-03-06T10:00:00.000+08:00')),
    decided(
      'DSC-2',
      { kind: 'organization', name: '浦城县某某餐饮有限公司', creditCode: '91350722MA0000000X' },
      penalty({ kind: 'penalty', fine: 5000, decidedAt: '2026-03-06T09:00:00.000+08:00' }),
    ),
    decided('DSC-3', person('欧阳娜娜'), penalty({ kind: 'penalty', fine: 100, decidedAt: '2026-03-04T16:30:00.000+08:00' }), closed('2026-03-05T08:00:00.000+08:00')),
    // The same decision instant as DSC-1 (written in UTC): newest-first ties go by caseId, descending.
    decided('DSC-6', person('李四'), penalty({ kind: 'penalty', fine: 50, decidedAt: '2026-03-05T02:00:00.000Z' })),
    // Not disclosed: decided without penalty; penalty proposed but not decided; no decision at all.
    decided('DSC-4', person('赵六'), penalty({ kind: 'no_penalty', decidedAt: '2026-03-07T10:00:00.000+08:00' })),
    decided('DSC-5', person('钱七'), penalty({ proposedFine: 300, rightsNotifiedAt: '2026-03-07T10:00:00.000+08:00' })),
    snapshot('DSC-7', DEMO.county, DEMO.township, { stage: 'handling' }),
  ];
  for (const c of cases) await project(pool, c);
  ({ app } = await buildTestApp(pool));
});

afterAll(async () => {
  await app?.close();
  await db?.dispose();
});

const list = async (query = '') => {
  const res = await app.inject({ method: 'GET', url: `/v1/public/disclosures${query}` });
  return { status: res.statusCode, body: res.json() as { items: Disclosure[]; nextCursor?: string }, raw: res.body };
};

describe('GET /v1/public/disclosures', () => {
  it('penalty decisions only, newest decision first, without a token', async () => {
    const { status, body } = await list();
    expect(status).toBe(200);
    expect(body.items.map((d) => d.caseId)).toEqual(['DSC-2', 'DSC-6', 'DSC-1', 'DSC-3']);
    expect(body.nextCursor).toBeUndefined();
    expect(body.items[0]).toEqual({
      caseId: 'DSC-2',
      countyCode: DEMO.county,
      countyName: DEMO.countyName,
      townshipCode: DEMO.township,
      townshipName: '莲塘镇',
      matterCode: DEMO.matters.townshipPenalty,
      matterName: expect.any(String),
      party: { kind: 'organization', name: '浦城县某某餐饮有限公司', creditCode: '91350722MA0000000X' },
      fine: 5000,
      decidedAt: '2026-03-06T09:00:00.000+08:00',
    });
    expect(body.items[1]?.decidedAt).toBe('2026-03-05T10:00:00.000+08:00');
  });

  it("masks persons' names and shows no identity number, phone or reporter", async () => {
    const { body, raw } = await list();
    const names = Object.fromEntries(body.items.map((d) => [d.caseId, d.party]));
    expect(names['DSC-1']).toEqual({ kind: 'person', name: '张*' });
    expect(names['DSC-3']).toEqual({ kind: 'person', name: '欧***' });
    expect(names['DSC-6']).toEqual({ kind: 'person', name: '李*' });
    for (const secret of [ID_NUMBER, '张三', '欧阳', '13800000000', '王五']) expect(raw).not.toContain(secret);
  });

  it('pages with the cursor', async () => {
    const first = await list('?limit=2');
    expect(first.body.items.map((d) => d.caseId)).toEqual(['DSC-2', 'DSC-6']);
    expect(first.body.nextCursor).toBeDefined();
    const second = await list(`?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((d) => d.caseId)).toEqual(['DSC-1', 'DSC-3']);
    expect(second.body.nextCursor).toBeUndefined();
    expect((await list('?cursor=garbage')).status).toBe(400);
    expect((await list('?limit=0')).status).toBe(400);
  });

  it('maskPersonName', () => {
    expect(maskPersonName('张三')).toBe('张*');
    expect(maskPersonName('王小明')).toBe('王**');
    expect(maskPersonName('李')).toBe('李*');
    expect(maskPersonName('𠮷野家')).toBe('𠮷**');
  });
});
