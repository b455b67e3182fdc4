import { z } from 'zod';

/**
 * Shapes of the accounts API (POST/GET /v1/admin/accounts), zod only: the web console builds its
 * account form from them, so nothing here may pull in server code.
 */

/** Roles a person can have (upstream systems are machines with HS256 tokens, never accounts). */
export const ACCOUNT_ROLES = ['township', 'county', 'supervisor', 'admin'] as const;

/** How long a signed-in session lasts (a working day) and how long the bearer token it hands out lives. */
const code = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only');
export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, '2–64 lower-case letters, digits, . _ -, starting with a letter or digit');
export const passwordSchema = z.string().min(8, 'at least 8 characters').max(256);

export const accountSchema = z.object({
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ACCOUNT_ROLES),
  countyCode: z.string().optional(),
  townshipCode: z.string().optional(),
  departmentCode: z.string().optional(),
  disabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Account = z.infer<typeof accountSchema>;

/** Body of `POST /v1/admin/accounts`: the unit codes a role needs are the claims it will carry. */
export const newAccountSchema = z
  .object({
    username: usernameSchema,
    displayName: z.string().trim().min(1).max(100),
    password: passwordSchema,
    role: z.enum(ACCOUNT_ROLES),
    countyCode: code.optional(),
    townshipCode: code.optional(),
    departmentCode: code.optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const need = (field: 'countyCode' | 'townshipCode' | 'departmentCode') => {
      if (!a[field]) ctx.addIssue({ code: 'custom', path: [field], message: `role ${a.role} needs ${field}` });
    };
    const forbid = (field: 'townshipCode' | 'departmentCode') => {
      if (a[field]) ctx.addIssue({ code: 'custom', path: [field], message: `role ${a.role} has no ${field}` });
    };
    if (a.role === 'township') (need('countyCode'), need('townshipCode'), forbid('departmentCode'));
    if (a.role === 'county') (need('countyCode'), need('departmentCode'), forbid('townshipCode'));
    if (a.role === 'supervisor') (forbid('townshipCode'), forbid('departmentCode'));
    if (a.role === 'admin') (forbid('townshipCode'), forbid('departmentCode'));
  });
export type NewAccount = z.infer<typeof newAccountSchema>;

export const accountChangeSchema = z
  .object({ displayName: z.string().trim().min(1).max(100).optional(), disabled: z.boolean().optional() })
  .strict();

