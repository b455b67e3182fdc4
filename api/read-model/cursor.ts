import { z } from 'zod';
import { badRequest } from '../errors';

/**
 * Keyset-pagination cursors of the read-model lists (cases, disclosures): a small JSON object, base64url,
 * opaque to callers. A cursor that does not decode to its list's shape is refused with 400.
 */

/** UTC text with microseconds: the exact value of a timestamptz, safe to hand back in a cursor. */
export const sortKeyText = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** A sort key as sortKeyText writes it (and a real instant). */
export const sortKeySchema = z
  .string()
  .regex(/^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
  .refine((v) => !Number.isNaN(Date.parse(v)));

/** The row id that breaks ties (Postgres text holds no NUL; U+FFFD marks bytes that were not UTF-8). */
export const cursorIdSchema = z.string().min(1).max(200).regex(/^[^\u0000\uFFFD]+$/);

export function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Decodes a cursor of `schema`'s shape; anything else is a 400 "invalid cursor". */
export function decodeCursor<T>(raw: string, schema: z.ZodType<T>): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw badRequest('invalid cursor', [{ path: 'cursor', message: 'not a cursor this list handed out' }]);
  return result.data;
}
