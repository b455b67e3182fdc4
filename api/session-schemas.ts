import { z } from 'zod';
import { accountSchema } from './account-schemas';
import { claimsSchema } from './claims';

/** Answers of POST /v1/session and GET /v1/me (the console reads their types). */

export const sessionSchema = z.object({
  account: accountSchema,
  claims: claimsSchema,
  token: z.string().describe('a short-lived HS256 bearer token with the same claims (for scripts; the console uses the cookie)'),
  tokenExpiresAt: z.string(),
  sessionExpiresAt: z.string(),
});
export type SessionResponse = z.infer<typeof sessionSchema>;

export const meSchema = z.object({
  claims: claimsSchema,
  account: accountSchema.optional().describe('present when signed in with a session cookie'),
  sessionExpiresAt: z.string().optional(),
});
export type MeResponse = z.infer<typeof meSchema>;

