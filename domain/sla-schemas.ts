import { z } from 'zod';
import { lazy } from './lazy';
import { periodSchema } from './period-schema';
import { SLA_KEYS, type SlaKey } from './sla';

/**
 * The schemas of an SLA policy change (domain/sla.ts), built on first use. Apart from sla.ts so that
 * workflow code, which imports `slaFor`, does not evaluate zod for every new case (domain/lazy.ts).
 */
const slaMapSchema = () =>
  z
    .object(Object.fromEntries(SLA_KEYS.map((k) => [k, periodSchema().optional()])) as Record<SlaKey, z.ZodOptional<ReturnType<typeof periodSchema>>>)
    .strict();

export const policyLimitsSchema = lazy(() =>
  z
    .object({ bounces: z.number().int().min(1).max(20).optional().describe('returns + declines of one department before the county supervisor is told') })
    .strict(),
);

/** Body of `PUT /v1/admin/sla-policy`: stages (and limits) left out keep the current value. */
export const slaPolicyChangeSchema = lazy(() =>
  z.object({ slas: slaMapSchema().default({}), urgent: slaMapSchema().optional(), limits: policyLimitsSchema().optional() }).strict(),
);
