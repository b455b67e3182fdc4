import { parseArgs } from 'node:util';
import { claimsSchema } from '../api/claims';
import { DEV_JWT_SECRET } from './config';
import { signDevToken } from './dev-token';

/**
 * Prints an HS256 token for local use (api.md "Auth"):
 *   npm run token -- --role supervisor --county 350722
 *   npm run token -- --role township --county 350722 --township 350722101
 *   npm run token -- --role county --county 350722 --department 350722.cgj
 *   npm run token -- --role upstream --county 350722 --townships 350722101,350722102 --sub hotline-12345
 * Signed with JWT_SECRET, or the development secret npm start uses when JWT_SECRET is unset.
 */
const USAGE = `usage: npm run token -- --role <upstream|township|county|supervisor|admin> [--county CODE] [--township CODE]
                     [--department CODE] [--townships CODE,CODE] [--sub SUBJECT] [--ttl SECONDS, default 43200 (12 hours)]`;

export function tokenFromArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): string {
  const { values } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string' },
      county: { type: 'string' },
      township: { type: 'string' },
      department: { type: 'string' },
      townships: { type: 'string' },
      sub: { type: 'string' },
      ttl: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) throw new Error(USAGE);
  const role = values.role;
  const claims = {
    sub: values.sub ?? `dev-${role ?? 'user'}${values.township ? `-${values.township}` : values.department ? `-${values.department}` : values.county ? `-${values.county}` : ''}`,
    role,
    ...(values.county ? { countyCode: values.county } : {}),
    ...(values.township ? { townshipCode: values.township } : {}),
    ...(values.department ? { departmentCode: values.department } : {}),
    ...(values.townships
      ? { townshipCodes: values.townships.split(',').map((s) => s.trim()).filter((s) => s.length > 0) }
      : {}),
  };
  const parsed = claimsSchema.safeParse(claims);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => {
        const flag = { role: '--role', countyCode: '--county', townshipCode: '--township', departmentCode: '--department', townshipCodes: '--townships', sub: '--sub' }[String(i.path[0])];
        return `  ${flag ?? i.path.join('.')}: ${i.message}`;
      })
      .join('\n');
    throw new Error(`cannot make a token:\n${problems}\n${USAGE}`);
  }
  const ttl = values.ttl === undefined ? undefined : Number(values.ttl);
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl <= 0)) throw new Error(`--ttl must be a positive integer\n${USAGE}`);
  const secret = env.JWT_SECRET || DEV_JWT_SECRET;
  return signDevToken(parsed.data, secret, ttl);
}

if (require.main === module) {
  try {
    process.stdout.write(`${tokenFromArgs(process.argv.slice(2))}\n`);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
}
