import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { buildApp } from '../../api/app';
import { startCaseRig, type CaseRig } from '../workflows/rig';
import { TEST_JWT_SECRET } from './api';
import { scratchDatabase } from './db';

/** A database of the file's own, the case workflows on a time-skipping server, and the API on both. */
export interface ScratchCaseApp {
  pool: Pool;
  rig: CaseRig;
  app: FastifyInstance;
  /** Closes the API, stops the worker and the server, drops the database. */
  stop: () => Promise<void>;
}

/**
 * For files whose rows (rosters, calendars, policies) must not show in other files' lists. `prepare`
 * fills the database before the worker and the API start.
 */
export async function startScratchCaseApp(name: string, prepare?: (pool: Pool) => Promise<void>): Promise<ScratchCaseApp> {
  const db = await scratchDatabase({ max: 4 });
  let rig: CaseRig | undefined;
  try {
    await prepare?.(db.pool);
    rig = await startCaseRig(db.pool, name);
    const app = await buildApp({ pool: db.pool, temporal: { client: rig.env.client, taskQueue: rig.taskQueue }, jwtSecret: TEST_JWT_SECRET });
    const started = rig;
    return {
      pool: db.pool,
      rig: started,
      app,
      stop: async () => {
        await app.close();
        await started.teardown();
        await db.dispose();
      },
    };
  } catch (err) {
    await rig?.teardown();
    await db.dispose();
    throw err;
  }
}
