import {
  ApplicationFailure,
  isGrpcServiceError,
  QueryRejectedError,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { CaseView } from '../domain/case';
import { REFUSAL } from '../domain/errors';
import { caseQuery } from '../workflows/definitions';
import { canReadCase, claimsOf } from './auth';
import { forbidden, HttpError, notFound, type ErrorDetail } from './errors';
import { claimIdempotencyKey, type KeyClaim } from './idempotency';

/**
 * What every route about one case needs: the case from its workflow or the read model, the caller's
 * Idempotency-Key, and the workflow's refusals in api.md's terms. Used by the case, action and
 * work-order routes.
 */

const REFUSAL_STATUS: Record<string, { status: number; code: string }> = {
  [REFUSAL.wrongStage]: { status: 409, code: 'wrong_stage' },
  [REFUSAL.businessRule]: { status: 422, code: 'business_rule' },
  [REFUSAL.invalidInput]: { status: 400, code: 'invalid_input' },
  [REFUSAL.notAllowed]: { status: 403, code: 'forbidden' },
  [REFUSAL.notFound]: { status: 404, code: 'not_found' },
};

/** A refusal's details ({stage, allowedActions, field, …} or a list of {path, message}) in api.md's form. */
function refusalDetails(details: unknown[] | null | undefined, message: string): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const d of details ?? []) {
    if (Array.isArray(d)) {
      out.push(...refusalDetails(d, message));
      continue;
    }
    if (!d || typeof d !== 'object') continue;
    const rec = d as Record<string, unknown>;
    if (typeof rec.path === 'string' && typeof rec.message === 'string') {
      out.push({ path: rec.path, message: rec.message });
      continue;
    }
    for (const [key, value] of Object.entries(rec)) {
      if (value === undefined) continue;
      if (key === 'field' && typeof value === 'string') {
        out.push({ path: value ? `body.${value}` : 'body', message });
      } else if (key === 'issues' && Array.isArray(value)) {
        // zod issues the workflow found: [{path: 'a.b', message}]
        for (const issue of value as { path?: unknown; message?: unknown }[]) {
          const p = typeof issue?.path === 'string' && issue.path ? `body.${issue.path}` : 'body';
          out.push({ path: p, message: typeof issue?.message === 'string' ? issue.message : message });
        }
      } else if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) {
        out.push({ path: key, message: value.join(', ') });
      } else {
        out.push({ path: key, message: typeof value === 'string' ? value : JSON.stringify(value) });
      }
    }
  }
  return out;
}


export function isTemporalUnavailable(err: unknown): boolean {
  return err instanceof ServiceError || isGrpcServiceError(err) || (err instanceof Error && /deadline|unavailable/i.test(err.message));
}

/** A case id in a path (also the workflow id). */
export const caseIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only')
  .describe('case id (also the workflow id)');
export const caseParams = z.object({ caseId: caseIdSchema });

export const idempotencyKeySchema = z.string().trim().min(1).max(200);
/** The Idempotency-Key of a step on a case (actions, events, work-order requests). */
export const actionIdempotencyHeaders = z.looseObject({
  'idempotency-key': idempotencyKeySchema
    .optional()
    .describe(
      'a retry with the same key (per caller) and the same request returns the first answer and changes nothing (the key is the Temporal Update ID); the same key with another request: 422 idempotency_key_reused',
    ),
});

export type KeyedRequest = Parameters<typeof claimsOf>[0] & { headers: Record<string, unknown> };

export function caseAccess(pool: Pool, client: Client, queryTimeoutMs = 5000) {
  async function readModelRow(caseId: string): Promise<{ snapshot: CaseView; seq: number } | undefined> {
    const { rows } = await pool.query<{ snapshot: CaseView; seq: number }>({
      name: 'read-model-row',
      text: 'SELECT snapshot, seq FROM cases WHERE case_id = $1',
      values: [caseId],
    });
    return rows[0];
  }
  async function readModelCase(caseId: string): Promise<CaseView | undefined> {
    return (await readModelRow(caseId))?.snapshot;
  }

  /** The request's Idempotency-Key claimed for this caller and request (422 when reused for another). */
  async function claimKey(request: KeyedRequest, caseId: string, path: string, body: unknown): Promise<{ key: string; claim: KeyClaim } | undefined> {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string') return undefined;
    const claim = await claimIdempotencyKey(pool, { caller: claimsOf(request).sub, key, method: 'POST', path, body, caseId });
    return { key, claim };
  }

  /**
   * The workflow's live view, or an error after `queryTimeoutMs`. The deadline bounds each gRPC attempt;
   * the SDK's native connection retries an unreachable server for about ten seconds more, so the whole
   * query is bounded here too (the error names a deadline: an outage, answered from the read model).
   */
  async function queryCase(caseId: string): Promise<CaseView> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`case query deadline exceeded after ${queryTimeoutMs} ms`)), queryTimeoutMs);
    });
    try {
      return await Promise.race([
        client.withDeadline(Date.now() + queryTimeoutMs, () => client.workflow.getHandle(caseId).query(caseQuery)),
        expired,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The live case from its workflow; the read model's snapshot when the workflow is gone (closed and
   * past retention) or does not answer. undefined: no such case.
   */
  async function loadCase(caseId: string, log: { warn: (o: object, m: string) => void }): Promise<CaseView | undefined> {
    try {
      return await queryCase(caseId);
    } catch (err) {
      const snapshot = await readModelCase(caseId);
      if (snapshot) {
        if (!(err instanceof WorkflowNotFoundError)) log.warn({ err, caseId }, 'case query failed; answering from the read model');
        return snapshot;
      }
      if (err instanceof WorkflowNotFoundError || err instanceof QueryRejectedError) return undefined;
      if (isTemporalUnavailable(err)) {
        throw new HttpError(503, 'unavailable', 'the case service is unavailable; retry later');
      }
      throw err;
    }
  }

  async function loadReadableCase(caseId: string, request: Parameters<typeof claimsOf>[0]): Promise<CaseView> {
    const claims = claimsOf(request);
    const c = await loadCase(caseId, request.log);
    if (!c) throw notFound(`case ${caseId}`);
    if (!canReadCase(claims, c)) throw forbidden();
    return c;
  }

  /** A failed Update in api.md's terms: the workflow's typed refusals, a closed case, an outage. */
  function mapUpdateError(err: unknown, caseId: string): unknown {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const mapped = err.cause.type ? REFUSAL_STATUS[err.cause.type] : undefined;
      if (mapped) return new HttpError(mapped.status, mapped.code, err.cause.message, refusalDetails(err.cause.details, err.cause.message));
    }
    if (err instanceof WorkflowNotFoundError) {
      return new HttpError(409, 'case_closed', `case ${caseId} is closed`, [{ path: 'status', message: 'closed' }]);
    }
    if (isTemporalUnavailable(err)) return new HttpError(503, 'unavailable', 'the case service is unavailable; retry later');
    return err;
  }

  return { readModelRow, readModelCase, queryCase, loadCase, loadReadableCase, claimKey, mapUpdateError };
}
