import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE, SIGN_IN_FAILURE_LIMIT } from '../../api/accounts';
import { DEMO, DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../db/seed';
import { bearer, buildFixtureApp, fixtureCases, TEST_JWT_SECRET } from '../helpers/api';
import { useTestPool } from '../helpers/db';
import { createVerifier } from 'fast-jwt';

/**
 * Sign-in for people (workbench.md "Sign-in"): accounts, the session cookie and its short-lived token,
 * the cookie accepted wherever a bearer token is, sign-out, rate-limited failures, admin account routes.
 */

const pool = useTestPool();
const cases = fixtureCases(`session${process.pid}`);
let app: FastifyInstance;
const suffix = `${process.pid}`;

beforeAll(async () => {
  ({ app } = await buildFixtureApp(pool, cases));
});
afterAll(async () => {
  await app?.close();
});

function sessionCookieOf(res: { cookies: { name: string; value: string; httpOnly?: boolean; sameSite?: string; path?: string }[] }) {
  const c = res.cookies.find((k) => k.name === SESSION_COOKIE);
  if (!c) throw new Error('no session cookie');
  return c;
}

async function signIn(username: string, password: string, ip = '10.0.0.1') {
  return app.inject({ method: 'POST', url: '/v1/session', payload: { username, password }, remoteAddress: ip });
}

describe('POST /v1/session', () => {
  it('signs a demo township officer in: HttpOnly SameSite=Strict cookie and a short-lived token with the claims the API uses', async () => {
    const res = await signIn('liantang', DEMO_PASSWORD);
    expect(res.statusCode, res.body).toBe(200);
    const cookie = sessionCookieOf(res);
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    expect(cookie.path).toBe('/');
    const body = res.json();
    expect(body.claims).toEqual({ sub: 'liantang', role: 'township', countyCode: DEMO.county, townshipCode: DEMO.township });
    const payload = createVerifier({ key: TEST_JWT_SECRET, algorithms: ['HS256'] })(body.token) as Record<string, unknown>;
    expect(payload).toMatchObject(body.claims);
    expect(typeof payload.exp).toBe('number');
    expect((payload.exp as number) - (payload.iat as number)).toBe(15 * 60);
    // the token works as a bearer token
    const me = await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${body.token}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json().claims).toEqual(body.claims);
  });

  it('the session cookie is accepted like a bearer token, with the same jurisdiction rules', async () => {
    const cookie = sessionCookieOf(await signIn('liantang', DEMO_PASSWORD));
    const cookies = { [SESSION_COOKIE]: cookie.value };
    const me = await app.inject({ method: 'GET', url: '/v1/me', cookies });
    expect(me.statusCode).toBe(200);
    expect(me.json().account).toMatchObject({ username: 'liantang', role: 'township', townshipCode: DEMO.township });
    const own = await app.inject({ method: 'GET', url: `/v1/cases/${cases.own.caseId}`, cookies });
    expect(own.statusCode).toBe(200);
    const other = await app.inject({ method: 'GET', url: `/v1/cases/${cases.otherTownship.caseId}`, cookies });
    expect(other.statusCode).toBe(403);
    const list = await app.inject({ method: 'GET', url: '/v1/cases?limit=500', cookies });
    expect(list.statusCode).toBe(200);
    expect((list.json().items as { townshipCode: string }[]).every((c) => c.townshipCode === DEMO.township)).toBe(true);
    // a supervisor-only route refuses the township's session
    expect((await app.inject({ method: 'GET', url: '/v1/stats/efficiency', cookies })).statusCode).toBe(403);
  });

  it('an Authorization header wins over the cookie: a bad token is not rescued by a good session', async () => {
    const cookie = sessionCookieOf(await signIn('pc-supervisor', DEMO_PASSWORD));
    const res = await app.inject({
      method: 'GET',
      url: '/v1/me',
      cookies: { [SESSION_COOKIE]: cookie.value },
      headers: { authorization: 'Bearer not-a-jwt' },
    });
    expect(res.statusCode).toBe(401);
  });

  it('DELETE /v1/session revokes the session: the cookie no longer works', async () => {
    const cookie = sessionCookieOf(await signIn('pc-cgj', DEMO_PASSWORD));
    const cookies = { [SESSION_COOKIE]: cookie.value };
    expect((await app.inject({ method: 'GET', url: '/v1/me', cookies })).statusCode).toBe(200);
    const out = await app.inject({ method: 'DELETE', url: '/v1/session', cookies });
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((c) => c.name === SESSION_COOKIE)?.value).toBe('');
    const after = await app.inject({ method: 'GET', url: '/v1/me', cookies });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('unauthorized');
  });

  it('a wrong password and an unknown user get the same 401; 400 names a missing field', async () => {
    const wrong = await signIn('admin', 'not-the-password', '10.0.1.1');
    const unknown = await signIn(`nobody${suffix}`, 'whatever', '10.0.1.1');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('invalid_credentials');
    expect(unknown.json().error).toEqual(wrong.json().error);
    expect(wrong.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    const missing = await app.inject({ method: 'POST', url: '/v1/session', payload: { username: 'admin' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details[0].path).toBe('body.password');
  });

  it(`after ${SIGN_IN_FAILURE_LIMIT} failures for one username and address: 429 with Retry-After, even with the right password; other addresses unaffected`, async () => {
    const ip = `10.9.${process.pid % 250}.7`;
    for (let i = 0; i < SIGN_IN_FAILURE_LIMIT; i++) expect((await signIn('shipi', 'wrong-password', ip)).statusCode).toBe(401);
    const limited = await signIn('shipi', DEMO_PASSWORD, ip);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().error.code).toBe('rate_limited');
    expect((await signIn('shipi', DEMO_PASSWORD, '10.8.0.1')).statusCode).toBe(200);
  });
});

describe('admin accounts', () => {
  const username = `officer${suffix}`;

  it('creates an account that can sign in; a reset password ends its sessions; a disabled account cannot sign in', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/admin/accounts',
      headers: bearer('admin'),
      payload: { username, displayName: '测试队员', password: 'first-password', role: 'township', countyCode: DEMO.county, townshipCode: DEMO.otherTownship },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).not.toHaveProperty('passwordHash');
    const again = await app.inject({
      method: 'POST',
      url: '/v1/admin/accounts',
      headers: bearer('admin'),
      payload: { username, displayName: 'x', password: 'first-password', role: 'supervisor', countyCode: DEMO.county },
    });
    expect(again.statusCode).toBe(409);

    const first = await signIn(username, 'first-password');
    expect(first.statusCode).toBe(200);
    expect(first.json().claims).toEqual({ sub: username, role: 'township', countyCode: DEMO.county, townshipCode: DEMO.otherTownship });
    const cookies = { [SESSION_COOKIE]: sessionCookieOf(first).value };

    const reset = await app.inject({
      method: 'PUT',
      url: `/v1/admin/accounts/${username}/password`,
      headers: bearer('admin'),
      payload: { password: 'second-password' },
    });
    expect(reset.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/v1/me', cookies })).statusCode).toBe(401);
    expect((await signIn(username, 'first-password', '10.0.2.1')).statusCode).toBe(401);
    expect((await signIn(username, 'second-password', '10.0.2.1')).statusCode).toBe(200);

    const disabled = await app.inject({ method: 'PATCH', url: `/v1/admin/accounts/${username}`, headers: bearer('admin'), payload: { disabled: true } });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json().disabled).toBe(true);
    expect((await signIn(username, 'second-password', '10.0.3.1')).statusCode).toBe(401);

    const list = await app.inject({ method: 'GET', url: '/v1/admin/accounts', headers: bearer('admin') });
    expect((list.json().items as { username: string }[]).map((a) => a.username)).toEqual(
      expect.arrayContaining([username, ...DEMO_ACCOUNTS.map((a) => a.username)]),
    );
  });

  it('refuses a role without its unit, a unit of another county (422), and non-admins (403)', async () => {
    const noTownship = await app.inject({
      method: 'POST',
      url: '/v1/admin/accounts',
      headers: bearer('admin'),
      payload: { username: `x${suffix}`, displayName: 'x', password: 'long-enough', role: 'township', countyCode: DEMO.county },
    });
    expect(noTownship.statusCode).toBe(400);
    expect(noTownship.json().error.details.map((d: { path: string }) => d.path)).toContain('body.townshipCode');
    const wrongCounty = await app.inject({
      method: 'POST',
      url: '/v1/admin/accounts',
      headers: bearer('admin'),
      payload: { username: `y${suffix}`, displayName: 'y', password: 'long-enough', role: 'township', countyCode: DEMO.otherCounty, townshipCode: DEMO.township },
    });
    expect(wrongCounty.statusCode).toBe(422);
    expect(wrongCounty.json().error.details[0].path).toBe('body.townshipCode');
    for (const caller of ['supervisor', 'township'] as const) {
      expect((await app.inject({ method: 'GET', url: '/v1/admin/accounts', headers: bearer(caller) })).statusCode).toBe(403);
    }
  });
});
