import type { z } from 'zod';
import type { Period } from './periods';
import type { slaPolicyChangeSchema } from './sla-schemas';

/**
 * Service-level deadlines are local policy, versioned: a running case keeps the version it started
 * with. Keys are stages plus `county-response` (乡呼县应: how fast a county department answers).
 */
export const SLA_KEYS = [
  'patrol',
  'discovery',
  'capture',
  'assignment',
  'county-response',
  'handling',
  'verification',
  // 回访: how long after close the 12345 platform may call the reporter back (and reopen when unsatisfied)
  'callback',
] as const;
export type SlaKey = (typeof SLA_KEYS)[number];

/**
 * Counts the policy sets besides periods. `bounces`: how many times one county department may bounce a
 * case (county-transfer returns and summons declines together) before the case escalates to the county
 * supervisor.
 */
export const POLICY_LIMIT_KEYS = ['bounces'] as const;
export type PolicyLimitKey = (typeof POLICY_LIMIT_KEYS)[number];

/** Body of `PUT /v1/admin/sla-policy` (its schema: domain/sla-schemas.ts). */
export type SlaPolicyChange = z.infer<ReturnType<typeof slaPolicyChangeSchema>>;

export interface SlaPolicy {
  version: number;
  slas: Record<SlaKey, Period>;
  /** Tighter limits for urgent cases; keys left out use `slas`. */
  urgent: Partial<Record<SlaKey, Period>>;
  /** Absent in policies published before limits existed: the defaults apply. */
  limits?: Partial<Record<PolicyLimitKey, number>>;
}

export const DEFAULT_POLICY_LIMITS: Record<PolicyLimitKey, number> = { bounces: 2 };

export function limitFor(policy: SlaPolicy, key: PolicyLimitKey): number {
  return policy.limits?.[key] ?? DEFAULT_POLICY_LIMITS[key];
}

/** The starting policy of deadlines.md ("Local SLA defaults"). */
export const DEFAULT_SLA_POLICY: SlaPolicy = {
  version: 1,
  slas: {
    patrol: { workingDays: 1 },
    discovery: { workingDays: 1 },
    capture: { workingDays: 1 },
    assignment: { duration: 'PT30M' },
    'county-response': { workingDays: 1 },
    handling: { workingDays: 5 },
    verification: { workingDays: 1 },
    callback: { workingDays: 5 },
  },
  urgent: {
    patrol: { duration: 'PT2H' },
    assignment: { duration: 'PT10M' },
  },
  limits: DEFAULT_POLICY_LIMITS,
};

export function slaFor(policy: SlaPolicy, key: SlaKey, urgent: boolean): Period {
  // A policy published before a key existed keeps the default for it.
  return (urgent ? policy.urgent[key] : undefined) ?? policy.slas[key] ?? DEFAULT_SLA_POLICY.slas[key];
}

/** Applies a change to a policy; the caller stores it as the next version. */
export function applySlaChange(current: SlaPolicy, change: SlaPolicyChange): Omit<SlaPolicy, 'version'> & { limits: Record<PolicyLimitKey, number> } {
  const slas = { ...current.slas };
  for (const [k, v] of Object.entries(change.slas ?? {})) if (v) slas[k as SlaKey] = v;
  const urgent = { ...current.urgent };
  for (const [k, v] of Object.entries(change.urgent ?? {})) if (v) urgent[k as SlaKey] = v;
  const limits = { ...DEFAULT_POLICY_LIMITS, ...current.limits };
  for (const [k, v] of Object.entries(change.limits ?? {})) if (v !== undefined) limits[k as PolicyLimitKey] = v;
  return { slas, urgent, limits };
}
