import { describe, expect, it } from 'vitest';
import { actionBodySchemas, caseRequestSchemas } from '../domain/action-schemas';
import { extensionRequestSchema, satisfactionSchema } from '../domain/actions';
import { lazy, lazyRecord } from '../domain/lazy';
import { ACTIONS } from '../domain/stages';

describe('lazy records (the workflow builds only the body schemas it validates)', () => {
  it('builds an entry when it is first read, once, and no other entry', () => {
    const built: string[] = [];
    const record = lazyRecord({
      a: () => (built.push('a'), { name: 'a' }),
      b: () => (built.push('b'), { name: 'b' }),
    });
    expect(built).toEqual([]);
    const first = record.a;
    expect(record.a).toBe(first);
    expect(built).toEqual(['a']);
    expect(Object.keys(record)).toEqual(['a', 'b']);
    expect('b' in record).toBe(true);
    expect(built).toEqual(['a']);
    expect((record as Record<string, unknown>)['c']).toBeUndefined();
  });

  it('lazy() builds at the first call and answers the same value after', () => {
    let calls = 0;
    const value = lazy(() => ({ n: ++calls }));
    expect(calls).toBe(0);
    expect(value()).toBe(value());
    expect(calls).toBe(1);
  });

  it('has a schema for every action and request, the same instance the API exports', () => {
    expect(Object.keys(actionBodySchemas).sort()).toEqual([...ACTIONS].sort());
    for (const action of ACTIONS) expect(actionBodySchemas[action], action).toBe(actionBodySchemas[action]);
    expect(caseRequestSchemas['extension-request']).toBe(extensionRequestSchema);
    expect(caseRequestSchemas.satisfaction).toBe(satisfactionSchema);
  });

  it('refuses and accepts as before', () => {
    expect(actionBodySchemas.decide.safeParse({ kind: 'no_penalty', fine: 5 }).error?.issues.map((i) => [i.path, i.message])).toEqual([
      [['fine'], 'a no_penalty decision carries no fine'],
    ]);
    expect(actionBodySchemas['record-payment'].safeParse({ amount: 0 }).success).toBe(false);
    expect(actionBodySchemas['hearing-notice'].safeParse({ hearingAt: '2026-03-01T09:00:00+08:00' }).success).toBe(true);
    expect(actionBodySchemas['appeal-decided'].safeParse({ upheld: false }).error?.issues[0]?.path).toEqual(['reason']);
    expect(caseRequestSchemas['extension-request'].safeParse({ reason: '需延期' }).error?.issues[0]?.message).toBe(
      'give exactly one of workingDays or newDueAt',
    );
  });
});
