import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { maskPersonName, type Disclosure } from '../../api/read-model/disclosures';
import { prepareDisclosure, recordDisclosure } from '../../activities/disclosures';
import type { CaseView, Party, Penalty } from '../../domain/case';
import { DEFAULT_DISCLOSURE_POLICY, type DisclosureStatus } from '../../domain/disclosure';
import { DEMO } from '../../db/seed';
import { buildTestApp } from '../helpers/api';
import { scratchDatabase } from '../helpers/db';
import { project, snapshot } from '../helpers/read-model';

/**
 * GET /v1/public/disclosures (公示), no auth. Disclosures are city-wide, so exact lists need a database of
 * this file's own. Each case's disclosure row is written as its process writes it: the entry prepared and
 * masked by the `prepareDisclosure` activity, the row by `recordDisclosure`.
 */
let db: Awaited<ReturnType<typeof scratchDatabase>>;
let pool: Pool;
let app: FastifyInstance;

const ID_NUMBER = '350722199001011234';
const person = (name: string): Party => ({ kind: 'person', name, idNumber: ID_NUMBER });
const penalty = (p: Partial<Penalty>): Penalty => ({ paidAmount: 0, ...p });
/** Facts as an officer writes them, naming the party (a person by name, an organisation as 当事人). */
const facts = (name: string) => `${name}（身份证号 35072219900101123X，电话 138-0013-8000）在浦城县莲塘镇莲塘街18号3栋2单元501室门前占道经营`;

function decided(caseId: string, party: Party, p: Penalty, extra: Partial<CaseView> = {}): CaseView {
  return snapshot(caseId, DEMO.county, DEMO.township, {
    stage: 'processing',
    matterCode: DEMO.matters.townshipPenalty,
    party,
    penalty: p,
    reporter: { name: '举报人王五', phone: '13800000000' },
    description: facts(party.kind === 'person' ? party.name : '当事人'),
    ...extra,
  });
}

const closed = (at: string): Partial<CaseView> => ({ status: 'closed', stage: 'review', resolution: 'penalty_paid', closedAt: at });

/** The disclosure row of a decided case, as its process leaves it in `status`. */
async function disclose(c: CaseView, status: DisclosureStatus, at: { publishedAt?: string; visibleUntil?: string; withdrawn?: { at: string; reason: string } } = {}) {
  const p = c.penalty!;
  const input = {
    caseId: c.caseId,
    parentWorkflowId: c.caseId,
    attempt: 1,
    countyCode: c.countyCode,
    townshipCode: c.townshipCode,
    matterCode: c.matterCode,
    party: c.party!,
    facts: c.description,
    otherNames: c.reporter?.name ? [c.reporter.name] : [],
    decision: { decidedAt: p.decidedAt!, fine: p.fine, summary: p.summary },
    policy: DEFAULT_DISCLOSURE_POLICY,
  };
  const prepared = await prepareDisclosure(pool, input);
  await recordDisclosure(pool, {
    disclosureId: `${c.caseId}/disclosure`,
    caseId: c.caseId,
    version: 1,
    status,
    countyCode: c.countyCode,
    townshipCode: c.townshipCode,
    decidedAt: p.decidedAt!,
    ...(prepared.publish ? { entry: prepared.entry } : { notPublishedReason: prepared.reason }),
    ...(at.publishedAt ? { publishedAt: at.publishedAt, visibleUntil: at.visibleUntil } : {}),
    ...(at.withdrawn ? { withdrawnAt: at.withdrawn.at, withdrawalReason: at.withdrawn.reason } : {}),
    escalations: 0,
    deadlines: [],
    history: [],
    notifications: [],
  });
}

const published = (publishedAt: string, visibleUntil: string) => ({ publishedAt, visibleUntil });

beforeAll(async () => {
  db = await scratchDatabase();
  pool = db.pool;
  const dsc1 = decided('DSC-1', person('张三'), penalty({ kind: 'penalty', fine: 200, decidedAt: '2026-03-05T10:00:00.000+08:00', paidAmount: 200 }), closed('2026-03-06T10:00:00.000+08:00'));
  const dsc2 = decided(
    'DSC-2',
    { kind: 'organization', name: '浦城县某某餐饮有限公司', creditCode: '91350722MA0000000X' },
    penalty({ kind: 'penalty', fine: 5000, decidedAt: '2026-03-06T09:00:00.000+08:00' }),
  );
  const dsc3 = decided('DSC-3', person('欧阳娜娜'), penalty({ kind: 'penalty', fine: 100, decidedAt: '2026-03-04T16:30:00.000+08:00' }), closed('2026-03-05T08:00:00.000+08:00'));
  // The same decision instant as DSC-1 (written in UTC): newest-first ties go by id, descending.
  const dsc6 = decided('DSC-6', person('李四'), penalty({ kind: 'penalty', fine: 50, decidedAt: '2026-03-05T02:00:00.000Z' }));
  // Not disclosed: decided without penalty; penalty proposed but not decided; no decision at all.
  const dsc4 = decided('DSC-4', person('赵六'), penalty({ kind: 'no_penalty', decidedAt: '2026-03-07T10:00:00.000+08:00' }));
  const dsc5 = decided('DSC-5', person('钱七'), penalty({ proposedFine: 300, rightsNotifiedAt: '2026-03-07T10:00:00.000+08:00' }));
  // A disclosure prepared but not yet published; one whose visibility ended; one withdrawn; a minor's.
  const dsc8 = decided('DSC-8', person('孙八'), penalty({ kind: 'penalty', fine: 800, decidedAt: '2026-03-08T10:00:00.000+08:00' }));
  const dsc9 = decided('DSC-9', person('周九'), penalty({ kind: 'penalty', fine: 300, decidedAt: '2026-03-03T10:00:00.000+08:00' }));
  const dsc10 = decided('DSC-10', person('吴十'), penalty({ kind: 'penalty', fine: 900, decidedAt: '2026-03-02T10:00:00.000+08:00' }));
  const dsc11 = decided('DSC-11', { kind: 'person', name: '郑小', idNumber: '350722201001011234' }, penalty({ kind: 'penalty', fine: 100, decidedAt: '2026-03-09T10:00:00.000+08:00' }));
  for (const c of [dsc1, dsc2, dsc3, dsc6, dsc4, dsc5, dsc8, dsc9, dsc10, dsc11, snapshot('DSC-7', DEMO.county, DEMO.township, { stage: 'handling' })]) await project(pool, c);
  await disclose(dsc1, 'published', published('2026-03-09T09:00:00.000+08:00', '2026-06-10T00:00:00.000+08:00'));
  await disclose(dsc2, 'published', published('2026-03-09T09:00:00.000+08:00', '2029-03-10T00:00:00.000+08:00'));
  await disclose(dsc3, 'published', published('2026-03-09T09:00:00.000+08:00', '2026-06-10T00:00:00.000+08:00'));
  await disclose(dsc6, 'published', published('2026-03-09T09:00:00.000+08:00', '2026-06-10T00:00:00.000+08:00'));
  await disclose(dsc8, 'pending');
  await disclose(dsc9, 'expired', published('2026-03-04T09:00:00.000+08:00', '2026-06-05T00:00:00.000+08:00'));
  await disclose(dsc10, 'withdrawn', {
    ...published('2026-03-03T09:00:00.000+08:00', '2026-06-04T00:00:00.000+08:00'),
    withdrawn: { at: '2026-04-01T10:00:00.000+08:00', reason: '行政复议决定撤销原处罚决定 revoked on reconsideration' },
  });
  await disclose(dsc11, 'not_published');
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
  it('published penalty decisions only, newest decision first, without a token', async () => {
    const { status, body } = await list();
    expect(status).toBe(200);
    expect(body.items.map((d) => d.caseId)).toEqual(['DSC-2', 'DSC-6', 'DSC-1', 'DSC-3']);
    expect(body.nextCursor).toBeUndefined();
    expect(body.items[0]).toEqual({
      caseId: 'DSC-2',
      disclosureId: 'DSC-2/disclosure',
      decisionNo: 'DSC-2',
      status: 'published',
      countyCode: DEMO.county,
      countyName: DEMO.countyName,
      townshipCode: DEMO.township,
      townshipName: '莲塘镇',
      matterCode: DEMO.matters.townshipPenalty,
      matterName: expect.any(String),
      legalBasis: expect.any(String),
      facts: '当事人（身份证号 ******************，电话 ***-****-****）在浦城县莲塘镇***门前占道经营',
      party: { kind: 'organization', name: '浦城县某某餐饮有限公司', creditCode: '91350722MA0000000X' },
      penalty: 'fine',
      fine: 5000,
      decidedAt: '2026-03-06T09:00:00.000+08:00',
      publishedAt: '2026-03-09T09:00:00.000+08:00',
      visibleUntil: '2029-03-10T00:00:00.000+08:00',
    });
    expect(body.items[1]?.decidedAt).toBe('2026-03-05T10:00:00.000+08:00');
  });

  it("masks persons' names and shows no identity number, phone, address or reporter", async () => {
    const { body, raw } = await list();
    const names = Object.fromEntries(body.items.map((d) => [d.caseId, d.party]));
    expect(names['DSC-1']).toEqual({ kind: 'person', name: '张*' });
    expect(names['DSC-3']).toEqual({ kind: 'person', name: '欧***' });
    expect(names['DSC-6']).toEqual({ kind: 'person', name: '李*' });
    for (const secret of [ID_NUMBER, '35072219900101123X', '138-0013-8000', '莲塘街18号', '501室', '张三', '欧阳', '13800000000', '王五']) expect(raw).not.toContain(secret);
  });

  it('leaves out what is not published: pending, expired, withdrawn, a minor', async () => {
    const { raw } = await list();
    for (const id of ['DSC-8', 'DSC-9', 'DSC-10', 'DSC-11']) expect(raw).not.toContain(id);
    const minor = await pool.query(`SELECT status, entry, not_published_reason FROM disclosures WHERE case_id = 'DSC-11'`);
    expect(minor.rows).toEqual([{ status: 'not_published', entry: null, not_published_reason: expect.stringContaining('minor') }]);
  });

  it('lists a withdrawn entry with its reason under status=withdrawn', async () => {
    const { status, body } = await list('?status=withdrawn');
    expect(status).toBe(200);
    expect(body.items.map((d) => [d.caseId, d.status, d.withdrawn])).toEqual([
      ['DSC-10', 'withdrawn', { at: '2026-04-01T10:00:00.000+08:00', reason: '行政复议决定撤销原处罚决定 revoked on reconsideration' }],
    ]);
    expect((await list('?status=expired')).status).toBe(400);
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
