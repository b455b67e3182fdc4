import type { Pool, PoolClient } from 'pg';
import { z } from 'zod';

/**
 * The catalog of reportable services (GeoReport v2 `services`): each is a kind of problem a resident can
 * report, mapped to a matter of the enforcement catalog (执法事项目录), kept by admins. `group` is the
 * matter's domain. Attributes follow the spec's service definition.
 */

export const ATTRIBUTE_DATATYPES = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] as const;

export const attributeSchema = z
  .object({
    code: z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only'),
    /** false: an informational attribute the client shows but does not send. */
    variable: z.boolean().default(true),
    datatype: z.enum(ATTRIBUTE_DATATYPES),
    required: z.boolean().default(false),
    datatypeDescription: z.string().max(500).optional(),
    order: z.number().int().min(1),
    description: z.string().trim().min(1).max(500),
    values: z.array(z.object({ key: z.string().min(1).max(64), name: z.string().min(1).max(200) }).strict()).max(200).optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const list = a.datatype === 'singlevaluelist' || a.datatype === 'multivaluelist';
    if (list && !(a.values && a.values.length > 0)) ctx.addIssue({ code: 'custom', path: ['values'], message: `a ${a.datatype} needs values` });
    if (!list && a.values) ctx.addIssue({ code: 'custom', path: ['values'], message: `a ${a.datatype} has no values` });
  });
export type ServiceAttribute = z.infer<typeof attributeSchema>;

export const serviceBodySchema = z
  .object({
    serviceName: z.string().trim().min(1).max(200),
    description: z.string().trim().min(1).max(2000),
    matterCode: z.string().trim().min(1).max(64),
    keywords: z.array(z.string().trim().min(1).max(50)).max(30).default([]),
    attributes: z.array(attributeSchema).max(50).default([]),
    serviceNotice: z.string().trim().max(1000).optional(),
    active: z.boolean().default(true),
  })
  .strict()
  .superRefine((s, ctx) => {
    const codes = s.attributes.map((a) => a.code);
    codes.forEach((c, i) => {
      if (codes.indexOf(c) !== i) ctx.addIssue({ code: 'custom', path: ['attributes', i, 'code'], message: `attribute code ${c} appears twice` });
    });
  });
export type ServiceBody = z.infer<typeof serviceBodySchema>;

export interface ReportableService extends ServiceBody {
  serviceCode: string;
  group: string;
}

/** The demo catalog (db/seed.ts): common resident reports mapped to township-level matters. */
export const DEMO_OPEN311_SERVICES: ({ serviceCode: string } & ServiceBody)[] = [
  {
    serviceCode: 'ZDJY',
    serviceName: '占道经营 Street vending blocking the road',
    description: '商户或摊贩在道路、人行道上摆摊设点、占道经营。Goods or stalls blocking a street or pavement.',
    matterCode: 'UM-P-001',
    keywords: ['占道', '摆摊', 'vending'],
    attributes: [
      {
        code: 'DURATION',
        variable: true,
        datatype: 'singlevaluelist',
        required: true,
        order: 1,
        description: '持续多久了？How long has it been there?',
        values: [
          { key: 'today', name: '今天 today' },
          { key: 'week', name: '一周内 within a week' },
          { key: 'longer', name: '更久 longer' },
        ],
      },
      { code: 'SHOP_NAME', variable: true, datatype: 'string', required: false, order: 2, description: '商户名称 Name of the shop, if known' },
    ],
    serviceNotice: '乡镇综合执法队将在1个工作日内到场核查。The township brigade checks on site within one working day.',
    active: true,
  },
  {
    serviceCode: 'LJDF',
    serviceName: '乱倒垃圾 Illegal dumping',
    description: '随意倾倒、抛撒、堆放或者焚烧生活垃圾。Household waste dumped, scattered or burnt.',
    matterCode: 'UM-P-003',
    keywords: ['垃圾', 'dumping'],
    attributes: [
      {
        code: 'WASTE',
        variable: true,
        datatype: 'multivaluelist',
        required: false,
        order: 1,
        description: '垃圾种类 What kind of waste?',
        values: [
          { key: 'household', name: '生活垃圾 household' },
          { key: 'construction', name: '建筑垃圾 construction' },
          { key: 'burning', name: '焚烧 burning' },
        ],
      },
    ],
    active: true,
  },
  {
    serviceCode: 'LTSS',
    serviceName: '露天焚烧 Open-air burning of straw or leaves',
    description: '在人口集中地区露天焚烧秸秆、落叶。Straw or leaves burnt in the open near homes.',
    matterCode: 'EC-P-001',
    keywords: ['焚烧', '秸秆', 'burning'],
    attributes: [],
    active: true,
  },
];

interface ServiceRow {
  service_code: string;
  service_name: string;
  description: string;
  group_name: string;
  matter_code: string;
  keywords: string[];
  attributes: ServiceAttribute[];
  service_notice: string | null;
  active: boolean;
}

function serviceOf(r: ServiceRow): ReportableService {
  return {
    serviceCode: r.service_code,
    serviceName: r.service_name,
    description: r.description,
    group: r.group_name,
    matterCode: r.matter_code,
    keywords: r.keywords,
    attributes: [...r.attributes].sort((a, b) => a.order - b.order),
    ...(r.service_notice ? { serviceNotice: r.service_notice } : {}),
    active: r.active,
  };
}

const COLUMNS = 'service_code, service_name, description, group_name, matter_code, keywords, attributes, service_notice, active';

export async function listServices(pool: Pool, includeInactive = false): Promise<ReportableService[]> {
  const { rows } = await pool.query<ServiceRow>(`SELECT ${COLUMNS} FROM open311_services WHERE active OR $1 ORDER BY service_code`, [includeInactive]);
  return rows.map(serviceOf);
}

export async function findService(pool: Pool, serviceCode: string): Promise<ReportableService | undefined> {
  const { rows } = await pool.query<ServiceRow>(`SELECT ${COLUMNS} FROM open311_services WHERE service_code = $1 AND active`, [serviceCode]);
  return rows[0] ? serviceOf(rows[0]) : undefined;
}

/** Creates or replaces a service; the group is the matter's domain. undefined: unknown matter. */
export async function putService(
  db: Pool | PoolClient,
  serviceCode: string,
  body: ServiceBody,
  by: string,
): Promise<ReportableService | undefined> {
  const { rows } = await db.query<ServiceRow>(
    `INSERT INTO open311_services (service_code, service_name, description, group_name, matter_code, keywords, attributes, service_notice, active, updated_by)
     SELECT $1, $2, $3, m.domain, m.code, $5::text[], $6::jsonb, $7, $8, $9 FROM matters m WHERE m.code = $4
     ON CONFLICT (service_code) DO UPDATE SET
       service_name = EXCLUDED.service_name, description = EXCLUDED.description, group_name = EXCLUDED.group_name,
       matter_code = EXCLUDED.matter_code, keywords = EXCLUDED.keywords, attributes = EXCLUDED.attributes,
       service_notice = EXCLUDED.service_notice, active = EXCLUDED.active, updated_by = EXCLUDED.updated_by, updated_at = now()
     RETURNING ${COLUMNS}`,
    [serviceCode, body.serviceName, body.description, body.matterCode, body.keywords, JSON.stringify(body.attributes), body.serviceNotice ?? null, body.active, by],
  );
  return rows[0] ? serviceOf(rows[0]) : undefined;
}

/** The demo catalog (db/seed.ts): services missing are added; services an admin has changed are left alone. */
export async function seedOpen311Catalog(client: PoolClient): Promise<void> {
  for (const { serviceCode, ...body } of DEMO_OPEN311_SERVICES) {
    const { rowCount } = await client.query('SELECT 1 FROM open311_services WHERE service_code = $1', [serviceCode]);
    if (!rowCount) await putService(client, serviceCode, body, 'seed');
  }
}
