import { createHash } from 'node:crypto';
import { CREDIT_CLASSES, stratumSize, type CreditClass } from './credit-strata';

/**
 * 双随机一公开: the auditable draw of a random-inspection campaign (registries.md), as pure functions.
 *
 * The idea of RFC 3797 / ICANN OCTO-41: the candidate pool is frozen (sorted ids and their SHA-256)
 * before the seed is known, the seed is made of public values fixed in advance (a lottery result and
 * its date), and every candidate is ranked by SHA-256(id + "/" + seed): the k smallest digests of each
 * credit-risk stratum are drawn, k = ceil(ratio × n). No Math.random, no modulo, no live table: anyone
 * holding the recorded inputs recomputes the same draw (`verifyDraw`).
 *
 * Inspectors are ranked the same way with a per-object seed (`seed + "/" + objectId`), so each object
 * gets its own independent ranking of the same roster.
 */

export { CREDIT_CLASSES, stratumSize, type CreditClass };

/** An enforcement object in the frozen pool, with what the draw needs of it at freezing time. */
export interface Candidate {
  id: string;
  creditClass: CreditClass;
  townshipCode: string;
  /**
   * Objects with many complaints weighted up (the plan's policy): a candidate of weight w holds w
   * tickets, ticket i ranked by SHA-256(id + "/" + seed + "/" + i) (ticket 0 is the plain formula), and
   * ranks by its best ticket. Integer weights and hashing only: still recomputable by anyone. Absent: 1.
   */
  weight?: number;
}

export interface FrozenPool {
  /** Sorted by id (UTF-16 code unit order, as `Array.prototype.sort` without a comparator). */
  candidates: Candidate[];
  /** SHA-256 (hex) of the sorted ids joined by "\n". */
  poolHash: string;
}

/** The draw ratio of each credit-risk class (0–1); a class left out is not drawn from. */
export type StratumRatios = Partial<Record<CreditClass, number>>;

/** An officer as the roster says on the inspection date (the fields eligibility needs). */
export interface InspectorCandidate {
  id: string;
  /** The brigade's township or the county department the officer belongs to. */
  townshipCode: string | null;
  departmentCode: string | null;
  domains: string[];
  certificateNo: string | null;
  validFrom: string | null;
  validUntil: string | null;
  active: boolean;
  retiredAt: string | null;
  suspendedFrom: string | null;
  suspendedUntil: string | null;
}

/** A recorded conflict of interest (回避): with one object, or with every object of a township. */
export interface Recusal {
  officerId: string;
  objectId?: string | null;
  townshipCode?: string | null;
}

export interface InspectorRules {
  /** Domains of the campaign's items: an officer who may enforce at least one of them is eligible. */
  itemDomains: string[];
  /** Units (township or department codes) the inspectors come from; empty: any unit in the roster. */
  units: string[];
  /** Brigade officers of the object's own township are recused (the plan's policy). */
  recuseOwnTownship: boolean;
  /** At least two (行政处罚法 Art 42). */
  inspectorsPerObject: number;
}

/** Everything a draw is computed from; recorded with the draw so that it can be recomputed. */
export interface DrawInputs {
  pool: FrozenPool;
  ratios: StratumRatios;
  seed: string;
  /** Local date (YYYY-MM-DD, Asia/Shanghai) on which the inspectors must be certified. */
  inspectionDate: string;
  officers: InspectorCandidate[];
  recusals: Recusal[];
  rules: InspectorRules;
}

export interface Stratum {
  creditClass: CreditClass;
  ratio: number;
  /** Candidates of the class in the pool. */
  size: number;
  /** ceil(ratio × size) */
  drawn: number;
  /** Drawn object ids, best rank first. */
  objectIds: string[];
}

export interface InspectorAssignment {
  objectId: string;
  /** Best rank first. */
  officerIds: string[];
  /** How many officers were eligible for this object. */
  eligible: number;
}

export type DrawOutcome =
  | { status: 'accepted'; poolHash: string; strata: Stratum[]; assignments: InspectorAssignment[] }
  | { status: 'refused'; poolHash: string; strata: Stratum[]; refusal: InsufficientInspectors };

export interface InsufficientInspectors {
  code: 'insufficient_inspectors';
  objectId: string;
  eligible: number;
  needed: number;
  message: string;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The most tickets a candidate holds when complaints weight it up. */
export const MAX_WEIGHT = 4;

/** Weight from complaints in the year before the pool was frozen: one ticket more per complaint, at most MAX_WEIGHT. */
export function complaintWeight(complaints: number): number {
  return Math.min(MAX_WEIGHT, 1 + Math.max(0, Math.floor(complaints)));
}

/** SHA-256 over the sorted ids (one per line). */
export function poolHashOf(sortedIds: readonly string[]): string {
  return sha256Hex(sortedIds.join('\n'));
}

/** Freezes the candidate pool: sorted by id, duplicates refused, hashed. */
export function freezePool(candidates: readonly Candidate[]): FrozenPool {
  const sorted = [...candidates].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.id === sorted[i - 1]!.id) throw new RangeError(`candidate ${sorted[i]!.id} appears twice in the pool`);
  }
  for (const c of sorted) {
    if (c.weight !== undefined && !(Number.isInteger(c.weight) && c.weight >= 1 && c.weight <= MAX_WEIGHT)) {
      throw new RangeError(`candidate ${c.id}: weight ${c.weight} is not a whole number from 1 to ${MAX_WEIGHT}`);
    }
  }
  return { candidates: sorted, poolHash: poolHashOf(sorted.map((c) => c.id)) };
}

/**
 * The seed from public values fixed in advance: the publication date and the values in their published
 * order, e.g. 2026-11-30 and ["3", "8", "1"] → "2026-11-30/3.8.1".
 */
export function seedFrom(publishedOn: string, values: readonly string[]): string {
  return `${publishedOn}/${values.join('.')}`;
}

/** A candidate's rank digest: SHA-256(id + "/" + seed), compared as hex strings (smaller ranks first). */
export function rankDigest(id: string, seed: string): string {
  return sha256Hex(`${id}/${seed}`);
}

/** The ids ranked by digest (ties, which SHA-256 makes practically impossible, by id). */
export function rank(ids: readonly string[], seed: string): string[] {
  return ids
    .map((id) => ({ id, digest: rankDigest(id, seed) }))
    .sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : a.id < b.id ? -1 : 1))
    .map((r) => r.id);
}


/** A candidate's rank digest over its tickets (weight 1: exactly rankDigest). */
export function weightedDigest(c: Pick<Candidate, 'id' | 'weight'>, seed: string): string {
  let best = rankDigest(c.id, seed);
  for (let i = 1; i < (c.weight ?? 1); i++) {
    const ticket = sha256Hex(`${c.id}/${seed}/${i}`);
    if (ticket < best) best = ticket;
  }
  return best;
}

/** The objects: per credit-risk class, the k best-ranked candidates. */
export function drawObjects(pool: FrozenPool, ratios: StratumRatios, seed: string): Stratum[] {
  return CREDIT_CLASSES.filter((c) => ratios[c] !== undefined).map((creditClass) => {
    const ratio = ratios[creditClass]!;
    const members = pool.candidates.filter((c) => c.creditClass === creditClass);
    const k = stratumSize(ratio, members.length);
    const ranked = members
      .map((c) => ({ id: c.id, digest: weightedDigest(c, seed) }))
      .sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : a.id < b.id ? -1 : 1));
    return { creditClass, ratio, size: members.length, drawn: k, objectIds: ranked.slice(0, k).map((r) => r.id) };
  });
}

/** Certified on a date: certificate set, valid that day, active, not retired, not suspended that day. */
export function certifiedOn(o: InspectorCandidate, date: string): boolean {
  if (!o.certificateNo || !o.validFrom || !o.validUntil) return false;
  if (!o.active || o.retiredAt) return false;
  if (date < o.validFrom || date > o.validUntil) return false;
  if (o.suspendedFrom && date >= o.suspendedFrom && (!o.suspendedUntil || date <= o.suspendedUntil)) return false;
  return true;
}

/** Why an officer may not inspect this object, or undefined when they may. */
export function ineligibility(
  o: InspectorCandidate,
  object: Candidate,
  recusals: readonly Recusal[],
  rules: InspectorRules,
  date: string,
): string | undefined {
  if (!certifiedOn(o, date)) return 'not certified on the inspection date';
  const unit = o.townshipCode ?? o.departmentCode ?? '';
  if (rules.units.length > 0 && !rules.units.includes(unit)) return `unit ${unit} is not among the campaign's units`;
  if (!o.domains.some((d) => rules.itemDomains.includes(d))) return `may not enforce ${rules.itemDomains.join(', ')}`;
  if (rules.recuseOwnTownship && o.townshipCode === object.townshipCode) return `recused: brigade of the object's own township ${object.townshipCode}`;
  const recused = recusals.find((r) => r.officerId === o.id && (r.objectId === object.id || (r.townshipCode != null && r.townshipCode === object.townshipCode)));
  if (recused) return 'recused: recorded conflict of interest';
  return undefined;
}

/** The inspectors of one object: the best-ranked eligible officers under the per-object seed. */
export function drawInspectorsFor(object: Candidate, inputs: Omit<DrawInputs, 'pool' | 'ratios'>): InspectorAssignment {
  const eligible = inputs.officers.filter((o) => ineligibility(o, object, inputs.recusals, inputs.rules, inputs.inspectionDate) === undefined).map((o) => o.id);
  return { objectId: object.id, officerIds: rank(eligible, `${inputs.seed}/${object.id}`).slice(0, inputs.rules.inspectorsPerObject), eligible: eligible.length };
}

/** The whole draw: objects per stratum, then at least two inspectors per drawn object, or a refusal naming the first object short of inspectors. */
export function draw(inputs: DrawInputs): DrawOutcome {
  if (inputs.rules.inspectorsPerObject < 2) throw new RangeError('at least two inspectors per object (行政处罚法 Art 42)');
  const strata = drawObjects(inputs.pool, inputs.ratios, inputs.seed);
  const byId = new Map(inputs.pool.candidates.map((c) => [c.id, c]));
  const assignments: InspectorAssignment[] = [];
  for (const stratum of strata) {
    for (const objectId of stratum.objectIds) {
      const a = drawInspectorsFor(byId.get(objectId)!, inputs);
      if (a.officerIds.length < inputs.rules.inspectorsPerObject) {
        return {
          status: 'refused',
          poolHash: inputs.pool.poolHash,
          strata,
          refusal: {
            code: 'insufficient_inspectors',
            objectId,
            eligible: a.eligible,
            needed: inputs.rules.inspectorsPerObject,
            message: `object ${objectId}: ${a.eligible} eligible inspector(s) on ${inputs.inspectionDate}, ${inputs.rules.inspectorsPerObject} needed`,
          },
        };
      }
      assignments.push(a);
    }
  }
  return { status: 'accepted', poolHash: inputs.pool.poolHash, strata, assignments };
}

export interface Verification {
  agrees: boolean;
  poolHash: { recorded: string; recomputed: string };
  /** What differs, when it does not agree. */
  differences: string[];
}

/** Recomputes a draw from its recorded inputs and compares it with the recorded outcome. */
export function verifyDraw(inputs: DrawInputs, recorded: DrawOutcome): Verification {
  const recomputedHash = poolHashOf(inputs.pool.candidates.map((c) => c.id));
  const differences: string[] = [];
  if (recomputedHash !== inputs.pool.poolHash) differences.push('the pool hash does not match the recorded candidates');
  if (recorded.poolHash !== recomputedHash) differences.push('the draw names another pool hash');
  const again = draw({ ...inputs, pool: { candidates: inputs.pool.candidates, poolHash: recomputedHash } });
  if (again.status !== recorded.status) differences.push(`status: recorded ${recorded.status}, recomputed ${again.status}`);
  const strataKey = (s: Stratum[]) => JSON.stringify(s.map((x) => [x.creditClass, x.size, x.drawn, x.objectIds]));
  if (strataKey(again.strata) !== strataKey(recorded.strata)) differences.push('the drawn objects differ');
  const assignmentsOf = (o: DrawOutcome) => (o.status === 'accepted' ? JSON.stringify(o.assignments.map((a) => [a.objectId, a.officerIds])) : '');
  if (assignmentsOf(again) !== assignmentsOf(recorded)) differences.push('the drawn inspectors differ');
  return { agrees: differences.length === 0, poolHash: { recorded: recorded.poolHash, recomputed: recomputedHash }, differences };
}
