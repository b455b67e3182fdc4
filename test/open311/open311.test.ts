import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { XMLParser } from 'fast-xml-parser';
import { buildApp } from '../../api/app';
import { DEMO } from '../../db/seed';
import { buildTestApp, TEST_JWT_SECRET, tokenFor } from '../helpers/api';
import { FakeTemporal } from '../helpers/fake-temporal';
import { useTestPool } from '../helpers/db';

const pool = useTestPool();
let app: FastifyInstance;
/** A key bound to one township (the spec's POST example names no township) and one for the whole county. */
let oneTownshipKey: string;
let countyKey: string;
const upstreamSub = `open311-app-${process.pid}`;

const xml = new XMLParser({ isArray: (name) => ['service', 'request', 'error', 'attribute', 'value'].includes(name), parseTagValue: false });
const form = (fields: Record<string, string | string[]>) =>
  Object.entries(fields)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`))
    .join('&');
const post = (path: string, fields: Record<string, string | string[]>) =>
  app.inject({ method: 'POST', url: `/open311/v2/${path}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form(fields) });
const admin = { authorization: `Bearer ${tokenFor('admin')}` };

beforeAll(async () => {
  ({ app } = await buildTestApp(pool));
  const issue = async (body: Record<string, unknown>) => {
    const res = await app.inject({ method: 'POST', url: '/v1/admin/open311/keys', headers: admin, payload: body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().apiKey as string;
  };
  oneTownshipKey = await issue({ upstreamSub, countyCode: DEMO.county, townshipCodes: [DEMO.township], description: 'spec examples' });
  countyKey = await issue({ upstreamSub, countyCode: DEMO.county });
  // The service of the spec's examples ("Cans left out 24x7", service_code 001), mapped to a matter.
  const put = await app.inject({
    method: 'PUT',
    url: '/v1/admin/open311/services/001',
    headers: admin,
    payload: {
      serviceName: 'Cans left out 24x7',
      description: 'Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.',
      matterCode: 'UM-P-003',
      keywords: ['lorem', 'ipsum', 'dolor'],
      attributes: [
        { code: 'WHISPR', datatype: 'string', required: false, order: 1, description: 'What is the ticket/tag/DL number?' },
        {
          code: 'WHISPR2',
          datatype: 'multivaluelist',
          required: false,
          order: 2,
          description: 'Which cans?',
          values: [
            { key: '456', name: 'Garbage' },
            { key: '789', name: 'Recycling' },
          ],
        },
      ],
      serviceNotice: 'The City will inspect and require the responsible party to correct within 24 hours',
    },
  });
  expect(put.statusCode, put.body).toBe(200);
  expect(put.json()).toMatchObject({ serviceCode: '001', group: 'urban_management' });
});
afterAll(async () => app?.close());

describe('Open311 GeoReport v2', () => {
  it('GET services in JSON and XML, shaped like the spec example', async () => {
    const json = await app.inject({ method: 'GET', url: '/open311/v2/services.json' });
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toMatch(/application\/json/);
    const cans = json.json().find((s: { service_code: string }) => s.service_code === '001');
    expect(cans).toEqual({
      service_code: '001',
      service_name: 'Cans left out 24x7',
      description: 'Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.',
      metadata: true,
      type: 'realtime',
      keywords: 'lorem, ipsum, dolor',
      group: 'urban_management',
    });
    expect(json.json().map((s: { service_code: string }) => s.service_code)).toEqual(expect.arrayContaining(['ZDJY', 'LJDF', 'LTSS']));

    const res = await app.inject({ method: 'GET', url: '/open311/v2/services.xml' });
    expect(res.headers['content-type']).toMatch(/text\/xml/);
    expect(res.body.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    const doc = xml.parse(res.body);
    expect(doc.services.service.find((s: { service_code: string }) => s.service_code === '001')).toEqual({
      service_code: '001',
      service_name: 'Cans left out 24x7',
      description: 'Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.',
      metadata: 'true',
      type: 'realtime',
      keywords: 'lorem, ipsum, dolor',
      group: 'urban_management',
    });
  });

  it('GET a service definition with its attributes and values, in JSON and XML', async () => {
    const json = (await app.inject({ method: 'GET', url: `/open311/v2/services/001.json?jurisdiction_id=${DEMO.county}` })).json();
    expect(json.service_code).toBe('001');
    expect(json.attributes[0]).toEqual({
      variable: true,
      code: 'WHISPR',
      datatype: 'string',
      required: false,
      datatype_description: null,
      order: 1,
      description: 'What is the ticket/tag/DL number?',
    });
    expect(json.attributes[1].values).toEqual([
      { key: '456', name: 'Garbage' },
      { key: '789', name: 'Recycling' },
    ]);
    const township = json.attributes.find((a: { code: string }) => a.code === 'TOWNSHIP');
    expect(township.values.map((v: { key: string }) => v.key)).toContain(DEMO.township);
    expect(township.values.map((v: { key: string }) => v.key)).not.toContain(DEMO.otherCountyTownship);

    const doc = xml.parse((await app.inject({ method: 'GET', url: '/open311/v2/services/001.xml' })).body);
    const attrs = doc.service_definition.attributes.attribute;
    expect(attrs[0]).toMatchObject({ variable: 'true', code: 'WHISPR', datatype: 'string', required: 'false', datatype_description: '', order: '1' });
    expect(attrs[1].values.value).toEqual([
      { key: '456', name: 'Garbage' },
      { key: '789', name: 'Recycling' },
    ]);
    const missing = await app.inject({ method: 'GET', url: '/open311/v2/services/NOPE.xml' });
    expect(missing.statusCode).toBe(404);
    expect(xml.parse(missing.body).errors.error[0]).toEqual({ code: '404', description: 'service_code NOPE not found' });
  });

  it("POST requests with the spec's example fields opens one complaint case, idempotently", async () => {
    const example = {
      api_key: oneTownshipKey,
      service_code: '001',
      lat: '37.76524078',
      long: '-122.4212043',
      address_string: '1234 5th street',
      email: 'smit222@sfgov.edu',
      device_id: 'tt222111',
      account_id: '123456',
      first_name: 'john',
      last_name: 'smith',
      phone: '111111111',
      description: 'A large sinkhole is destroying the street',
      media_url: 'http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg',
      'attribute[WHISPR]': '123',
      'attribute[WHISPR2][]': ['456', '789'],
    };
    const res = await post('requests.xml', example);
    expect(res.statusCode, res.body).toBe(201);
    const [created] = xml.parse(res.body).service_requests.request;
    expect(created).toEqual({
      service_request_id: expect.any(String),
      service_notice: 'The City will inspect and require the responsible party to correct within 24 hours',
      account_id: '',
    });
    const caseId = created.service_request_id as string;
    const again = await post('requests.json', example);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual([{ service_request_id: caseId, service_notice: expect.any(String), account_id: null }]);

    const { rows } = await pool.query('SELECT source, county_code, township_code, created_by, snapshot FROM cases WHERE case_id = $1', [caseId]);
    expect(rows[0]).toMatchObject({ source: 'complaint', county_code: DEMO.county, township_code: DEMO.township, created_by: upstreamSub });
    expect(rows[0].snapshot.location).toEqual({ address: '1234 5th street', lat: 37.76524078, lng: -122.4212043 });
    const stored = await pool.query('SELECT attributes FROM open311_requests WHERE case_id = $1', [caseId]);
    expect(stored.rows[0].attributes).toEqual({ WHISPR: '123', WHISPR2: ['456', '789'] });

    // GET requests/{id}: the spec's fields, never the reporter's data.
    const one = await app.inject({ method: 'GET', url: `/open311/v2/requests/${caseId}.json` });
    expect(one.statusCode).toBe(200);
    const [record] = one.json();
    expect(record).toMatchObject({
      service_request_id: caseId,
      status: 'open',
      service_code: '001',
      service_name: 'Cans left out 24x7',
      address: '1234 5th street',
      lat: 37.76524078,
      long: -122.4212043,
      media_url: 'http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg',
      requested_datetime: expect.any(String),
      updated_datetime: expect.any(String),
      agency_responsible: expect.stringContaining('综合行政执法队'),
    });
    expect(Object.keys(record).sort()).toEqual(
      ['address', 'agency_responsible', 'expected_datetime', 'lat', 'long', 'media_url', 'requested_datetime', 'service_code', 'service_name', 'service_notice', 'service_request_id', 'status', 'status_notes', 'updated_datetime'].sort(),
    );
    const oneXml = xml.parse((await app.inject({ method: 'GET', url: `/open311/v2/requests/${caseId}.xml` })).body);
    expect(oneXml.service_requests.request).toHaveLength(1);
    expect(oneXml.service_requests.request[0]).toMatchObject({ service_request_id: caseId, status: 'open', service_code: '001', lat: '37.76524078', long: '-122.4212043' });
    for (const doc of [one.body, (await app.inject({ method: 'GET', url: '/open311/v2/requests.xml' })).body]) {
      for (const secret of ['smit222', 'tt222111', 'john', 'smith', '111111111', 'sinkhole']) expect(doc).not.toContain(secret);
    }
  });

  it('parses attribute[code] and attribute[code][] against the definition and picks the township', async () => {
    const base = { api_key: countyKey, service_code: 'LJDF', address_string: '莲塘镇街上路20号', description: '路边堆放垃圾' };
    const ok = await post('requests.json', { ...base, 'attribute[WASTE][]': ['household', 'burning'], 'attribute[TOWNSHIP]': DEMO.otherTownship });
    expect(ok.statusCode, ok.body).toBe(201);
    const caseId = ok.json()[0].service_request_id;
    const { rows } = await pool.query('SELECT township_code FROM cases WHERE case_id = $1', [caseId]);
    expect(rows[0].township_code).toBe(DEMO.otherTownship);

    const refusals: [Record<string, string | string[]>, number, RegExp][] = [
      [{ ...base, 'attribute[TOWNSHIP]': DEMO.township, 'attribute[WASTE][]': ['household', 'gold'] }, 400, /attribute\[WASTE\]: gold is not one of/],
      [{ ...base, 'attribute[TOWNSHIP]': DEMO.township, 'attribute[COLOR]': 'red' }, 400, /attribute\[COLOR\] is not an attribute/],
      [{ ...base }, 400, /attribute\[TOWNSHIP\] is required/],
      [{ ...base, 'attribute[TOWNSHIP]': DEMO.otherCountyTownship }, 400, /attribute\[TOWNSHIP\]/],
      [{ ...base, service_code: 'ZDJY', 'attribute[TOWNSHIP]': DEMO.township }, 400, /attribute\[DURATION\] is required/],
      [{ ...base, 'attribute[TOWNSHIP]': DEMO.township, description: 'x'.repeat(4001) }, 400, /description/],
      [{ ...base, address_string: '', 'attribute[TOWNSHIP]': DEMO.township }, 400, /location is required/],
      [{ ...base, service_code: 'NOPE' }, 404, /service_code NOPE not found/],
      [{ ...base, jurisdiction_id: DEMO.otherCounty, 'attribute[TOWNSHIP]': DEMO.township }, 400, /jurisdiction_id/],
    ];
    for (const [fields, status, message] of refusals) {
      const res = await post('requests.json', fields);
      expect(res.statusCode, JSON.stringify(fields).slice(0, 200)).toBe(status);
      const [error] = res.json();
      expect(error.code).toBe(status);
      expect(error.description).toMatch(message);
    }
  });

  it('refuses a bad key with 403 in the spec’s error format', async () => {
    const json = await post('requests.json', { api_key: 'o311_wrong', service_code: '001', address_string: 'x' });
    expect(json.statusCode).toBe(403);
    expect(json.json()).toEqual([{ code: 403, description: expect.stringContaining('api_key') }]);
    const noKey = await post('requests.xml', { service_code: '001', address_string: 'x' });
    expect(noKey.statusCode).toBe(403);
    expect(xml.parse(noKey.body).errors.error[0].code).toBe('403');
    const revoked = await app.inject({ method: 'GET', url: '/v1/admin/open311/keys', headers: admin });
    const id = revoked.json().items.find((k: { description: string | null }) => k.description === 'spec examples').id;
    expect((await app.inject({ method: 'DELETE', url: `/v1/admin/open311/keys/${id}`, headers: admin })).statusCode).toBe(204);
    const after = await post('requests.json', { api_key: oneTownshipKey, service_code: '001', address_string: 'x' });
    expect(after.statusCode).toBe(403);
    const getWithBadKey = await app.inject({ method: 'GET', url: '/open311/v2/requests.json?api_key=o311_wrong' });
    expect(getWithBadKey.statusCode).toBe(403);
    const notAdmin = await app.inject({ method: 'POST', url: '/v1/admin/open311/keys', headers: { authorization: `Bearer ${tokenFor('supervisor')}` }, payload: { upstreamSub: 'x', countyCode: DEMO.county } });
    expect(notAdmin.statusCode).toBe(403);
  });

  it('GET requests filters by service, status and a window of at most 90 days', async () => {
    const mine = await post('requests.json', { api_key: countyKey, service_code: 'LTSS', address_string: '莲塘镇山下村', 'attribute[TOWNSHIP]': DEMO.township });
    expect(mine.statusCode, mine.body).toBe(201);
    const id = mine.json()[0].service_request_id;
    const ids = async (query: string) => {
      const res = await app.inject({ method: 'GET', url: `/open311/v2/requests.json?${query}` });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().map((r: { service_request_id: string }) => r.service_request_id);
    };
    expect(await ids('service_code=LTSS')).toContain(id);
    expect(await ids('service_code=001')).not.toContain(id);
    expect(await ids('status=open')).toContain(id);
    expect(await ids('status=closed')).not.toContain(id);
    expect(await ids(`service_request_id=${id},nothing`)).toEqual([id]);
    expect(await ids(`jurisdiction_id=${DEMO.otherCounty}`)).not.toContain(id);
    const day = 86_400_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(await ids(`start_date=${iso(Date.now() - 10 * day)}&end_date=${iso(Date.now() - 5 * day)}`)).not.toContain(id);
    expect(await ids(`start_date=${iso(Date.now() - 89 * day)}`)).toContain(id);
    const wide = await app.inject({ method: 'GET', url: `/open311/v2/requests.json?start_date=${iso(Date.now() - 91 * day)}&end_date=${iso(Date.now())}` });
    expect(wide.statusCode).toBe(400);
    expect(wide.json()[0].description).toMatch(/90 days/);
    const badStatus = await app.inject({ method: 'GET', url: '/open311/v2/requests.xml?status=pending' });
    expect(badStatus.statusCode).toBe(400);
    expect(xml.parse(badStatus.body).errors.error[0].code).toBe('400');
    const unknown = await app.inject({ method: 'GET', url: '/open311/v2/requests/C000.json' });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('Open311 over the rate limit of case creation', () => {
  it('answers 429 with Retry-After in the spec’s error format (not 400): the limit of POST /v1/cases applies to the key’s upstream identity', async () => {
    const limited = await buildApp({
      pool,
      temporal: { client: new FakeTemporal(pool).client, taskQueue: 'unused' },
      jwtSecret: TEST_JWT_SECRET,
      caseCreationRateLimit: { max: 1, timeWindow: '1 minute' },
    });
    try {
      const base = { api_key: countyKey, service_code: 'LJDF', address_string: '莲塘镇街上路22号', 'attribute[WASTE][]': ['household'], 'attribute[TOWNSHIP]': DEMO.township };
      const send = (description: string) =>
        limited.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ ...base, description }) });
      const first = await send(`rate ${process.pid} 1`);
      expect(first.statusCode, first.body).toBe(201);
      const second = await send(`rate ${process.pid} 2`);
      expect(second.statusCode, second.body).toBe(429);
      expect(second.headers['retry-after']).toBeDefined();
      expect(second.json()).toEqual([{ code: 429, description: expect.stringContaining('retry later') }]);
    } finally {
      await limited.close();
    }
  });
});
