import type { Pool } from 'pg';

/** The floor's one side effect per step: one row, idempotent on (case, step) like the real projection. */
export interface FloorActivities {
  recordFloorStep(input: { caseId: string; step: number }): Promise<void>;
}

export const FLOOR_TABLE_DDL = `CREATE TABLE IF NOT EXISTS bench_floor_steps (
  case_id text NOT NULL,
  step integer NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (case_id, step)
)`;

export function createFloorActivities(pool: Pool): FloorActivities {
  return {
    async recordFloorStep({ caseId, step }) {
      await pool.query('INSERT INTO bench_floor_steps (case_id, step) VALUES ($1, $2) ON CONFLICT DO NOTHING', [caseId, step]);
    },
  };
}
