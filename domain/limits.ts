/** Statutory limits of the procedure (in their own module: the workflow reads them without the API's schemas). */

/** 行政处罚法 Art 51: summary procedure only for a warning or a fine ≤ 200 yuan (citizen) or ≤ 3,000 yuan (organisation). */
export const SUMMARY_FINE_LIMIT = { person: 200, organization: 3000 } as const;

/** 行政处罚法 Art 42: every enforcement act needs at least two certified officers. */
export const MIN_CERTIFIED_OFFICERS = 2;
