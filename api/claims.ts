import { z } from 'zod';
import '@fastify/jwt';

/** JWT claims (api.md "Auth"). Which codes a role needs: township → countyCode + townshipCode;
 * county → countyCode + departmentCode; supervisor → countyCode (absent for a city supervisor); upstream → countyCode
 * and optionally townshipCodes it serves; admin → none. */
export const ROLES = ['upstream', 'township', 'county', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const claimsSchema = z
  .object({
    sub: z.string().min(1),
    role: z.enum(ROLES),
    countyCode: z.string().min(1).optional(),
    townshipCode: z.string().min(1).optional(),
    departmentCode: z.string().min(1).optional(),
    /** upstream: the townships it serves; absent means every township of its county. */
    townshipCodes: z.array(z.string().min(1)).optional(),
  })
  .superRefine((c, ctx) => {
    const need = (field: 'countyCode' | 'townshipCode' | 'departmentCode') => {
      if (!c[field]) ctx.addIssue({ code: 'custom', path: [field], message: `role ${c.role} needs ${field}` });
    };
    if (c.role === 'township') (need('countyCode'), need('townshipCode'));
    if (c.role === 'county') (need('countyCode'), need('departmentCode'));
    if (c.role === 'upstream') need('countyCode');
  });
export type Claims = z.infer<typeof claimsSchema>;

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: Claims;
    user: Claims;
  }
}
