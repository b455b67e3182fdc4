import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { actionBodySchemas, caseRequestSchemas, countyResponseSchema, extensionRequestSchema, satisfactionSchema } from '../../domain/actions';
import { openCaseSchema } from '../../domain/case-schemas';
import { ACTIONS } from '../../domain/stages';
import { summonsAnswerSchema, summonsSchema } from '../../domain/summons-schemas';
import { ACTION_LABELS, DISCLOSURE_STATUS_LABELS, FIELD_LABELS, SUMMONS_STATUS_LABELS, TIMELINE_LABELS } from '../../web/src/labels';
import { DISCLOSURE_STATUSES } from '../../domain/disclosure';
import { bodyOf, checkBody, errorsByField, fieldsOf } from '../../web/src/forms/schema-fields';

/** The console's form builder: an action schema (domain/actions.ts) → Element Plus fields → the body the API expects. */

const keys = (schema: z.ZodType, values = {}) => fieldsOf(schema, values).map((f) => `${f.key}:${f.kind}${f.required ? '!' : ''}`);

describe('fieldsOf', () => {
  it('renders every action schema of the API', () => {
    for (const action of ACTIONS) expect(() => fieldsOf(actionBodySchemas[action]), action).not.toThrow();
  });

  it('capture: nested party fields, enums with Chinese labels, the free-form evidence list left out', () => {
    expect(keys(actionBodySchemas.capture)).toEqual([
      'matterCode:text!',
      'party.kind:enum!',
      'party.name:text!',
      'party.idNumber:text',
      'party.creditCode:text',
      'party.minor:boolean',
      'urgent:boolean',
      'violation.occurredOn:text',
      'violation.endedOn:text',
      'violation.harm:enum',
    ]);
    const kind = fieldsOf(actionBodySchemas.capture).find((f) => f.key === 'party.kind');
    expect(kind?.options).toEqual([
      { value: 'person', label: '自然人' },
      { value: 'organization', label: '单位' },
    ]);
  });

  it('assign: the discriminator first, then the fields of the chosen variant', () => {
    expect(keys(actionBodySchemas.assign)).toEqual(['level:enum!']);
    expect(keys(actionBodySchemas.assign, { level: 'township' })).toEqual(['level:enum!', 'officerIds:list!']);
    expect(keys(actionBodySchemas.assign, { level: 'county' })).toEqual(['level:enum!', 'departmentCode:text!']);
    const officers = fieldsOf(actionBodySchemas.assign, { level: 'township' }).find((f) => f.key === 'officerIds');
    expect(officers).toMatchObject({ min: 1, max: 20 });
  });

  it('patrol report: a datetime, long text as a textarea, photos as a list', () => {
    expect(keys(actionBodySchemas['patrol-report'])).toEqual(['gridMemberId:text!', 'observedAt:datetime!', 'findings:textarea!', 'photos:list']);
  });

  it('numbers carry their bounds; the opening form flattens location, reporter and the optional patrol report', () => {
    expect(fieldsOf(actionBodySchemas['record-payment']).find((f) => f.key === 'amount')).toMatchObject({ kind: 'number', required: true, max: 1e10 });
    const open = keys(openCaseSchema);
    expect(open).toEqual(expect.arrayContaining(['source:enum!', 'countyCode:text!', 'location.address:text!', 'description:textarea!', 'reporter.phone:text', 'patrol.observedAt:datetime']));
  });

  it('the 12345 work-order forms (延期, 督办, 回访) and every action render with Chinese labels; their refinements land on the field', () => {
    for (const action of ACTIONS) expect(ACTION_LABELS[action], action).toMatch(/[\u4e00-\u9fff]/);
    expect(ACTION_LABELS.return).toBe('退回工单');
    for (const [kind, schema] of Object.entries(caseRequestSchemas)) {
      for (const f of fieldsOf(schema)) expect(FIELD_LABELS[f.key], `${kind}.${f.key}`).toBeDefined();
    }
    expect(keys(extensionRequestSchema)).toEqual(['deadlineKind:text', 'reason:textarea!', 'workingDays:number', 'newDueAt:datetime']);
    const rating = fieldsOf(satisfactionSchema).find((f) => f.key === 'rating');
    expect(rating?.options).toEqual([
      { value: 'satisfied', label: '满意' },
      { value: 'basically_satisfied', label: '基本满意' },
      { value: 'unsatisfied', label: '不满意' },
    ]);
    const neither = checkBody(extensionRequestSchema, fieldsOf(extensionRequestSchema), { reason: '需延期' });
    expect(neither.byField.workingDays).toBe('give exactly one of workingDays or newDueAt');
    const reopenSatisfied = checkBody(satisfactionSchema, fieldsOf(satisfactionSchema), { rating: 'satisfied', reopen: true });
    expect(reopenSatisfied.byField.reopen).toBe('only an unsatisfied callback reopens the case');
  });

  it('吹哨 and 报到 forms: the departments as a list, the answer with Chinese options, a decline without reason lands on reason', () => {
    expect(keys(summonsSchema())).toEqual(['departmentCodes:list!', 'reason:textarea!']);
    expect(fieldsOf(summonsSchema()).find((f) => f.key === 'departmentCodes')).toMatchObject({ label: '吹哨部门 (县级部门，可多选)', min: 1, max: 20 });
    expect(keys(summonsAnswerSchema())).toEqual(['answer:enum!', 'reason:textarea']);
    expect(fieldsOf(summonsAnswerSchema()).find((f) => f.key === 'answer')?.options).toEqual([
      { value: 'report', label: '报到 (参加联合执法)' },
      { value: 'decline', label: '不参加 (须说明理由)' },
    ]);
    const unexplained = checkBody(summonsAnswerSchema(), fieldsOf(summonsAnswerSchema()), { answer: 'decline' });
    expect(unexplained.byField.reason).toBe('a declined summons must say why');
    expect(checkBody(summonsAnswerSchema(), fieldsOf(summonsAnswerSchema()), { answer: 'report' })).toMatchObject({ ok: true, body: { answer: 'report' } });
    const twice = checkBody(summonsSchema(), fieldsOf(summonsSchema()), { departmentCodes: ['CGJ', 'CGJ'], reason: '联合执法' });
    expect(twice.byField.departmentCodes).toBe('department CGJ is named twice');
    expect(Object.keys(SUMMONS_STATUS_LABELS).sort()).toEqual(['declined', 'pending', 'reported', 'silent']);
    for (const status of DISCLOSURE_STATUSES) expect(DISCLOSURE_STATUS_LABELS[status], status).toMatch(/[\u4e00-\u9fff]/);
    for (const type of ['department_summoned', 'summons_reported', 'summons_declined', 'bounce_limit_reached', 'disclosure_published', 'disclosure_withdrawn']) {
      expect(TIMELINE_LABELS[type], type).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('refuses to render a required field it does not know, rather than leaving it out', () => {
    expect(() => fieldsOf(z.object({ evidence: z.array(z.object({ url: z.string() })) }))).toThrow(/evidence/);
  });
});

describe('bodyOf and checkBody', () => {
  it('builds nested bodies, trims text, leaves out empty optional fields', () => {
    const fields = fieldsOf(actionBodySchemas.capture);
    const body = bodyOf(fields, { matterCode: ' UM-P-001 ', 'party.kind': 'person', 'party.name': '李某', 'party.idNumber': '', urgent: undefined });
    expect(body).toEqual({ matterCode: 'UM-P-001', party: { kind: 'person', name: '李某' } });
    expect(actionBodySchemas.capture.safeParse(body).success).toBe(true);
  });

  it('places missing and invalid fields with the schema the API uses (including its refinements)', () => {
    const fields = fieldsOf(countyResponseSchema, { decision: 'return' });
    const checked = checkBody(countyResponseSchema, fields, { decision: 'return' });
    expect(checked.ok).toBe(false);
    expect(checked.byField.reason).toBe('a returned transfer must say why');
    const missing = checkBody(actionBodySchemas.verify, fieldsOf(actionBodySchemas.verify), {});
    expect(missing.ok).toBe(false);
    expect(Object.keys(missing.byField)).toEqual(['passed']);
    const fine = checkBody(actionBodySchemas.decide, fieldsOf(actionBodySchemas.decide), { kind: 'no_penalty', fine: 100 });
    expect(fine.byField.fine).toBe('a no_penalty decision carries no fine');
    const ok = checkBody(actionBodySchemas.verify, fieldsOf(actionBodySchemas.verify), { passed: false, notes: '仍有占道' });
    expect(ok).toMatchObject({ ok: true, body: { passed: false, notes: '仍有占道' } });
  });

  it("puts the server's refusal on the field its path names (body.officerIds.1 → officerIds)", () => {
    const fields = fieldsOf(actionBodySchemas.assign, { level: 'township' });
    const placed = errorsByField(fields, [
      { path: 'body.officerIds', message: 'OF-350722101-04: certificate expired' },
      { path: 'body.officerIds.1', message: 'second one' },
      { path: 'refused', message: '[...]' },
    ]);
    expect(placed.byField).toEqual({ officerIds: 'OF-350722101-04: certificate expired；second one' });
    expect(placed.unplaced).toEqual(['[...]']);
  });
});
