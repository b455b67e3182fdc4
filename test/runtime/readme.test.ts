import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../db/seed';
import { CONFIG_VARIABLES } from '../../runtime/config';

/**
 * The README stays true for a newcomer (issue 6, item 10): the codes its walk-through uses exist in the
 * demo data, and its configuration table names every variable the code reads.
 */
const root = path.resolve(__dirname, '../..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('uses department codes of the demo data', () => {
    const used = [
      ...[...readme.matchAll(/"departmentCode"\s*:\s*"([^"]+)"/g)].map((m) => m[1]!),
      ...[...readme.matchAll(/--department\s+(\S+)/g)].map((m) => m[1]!),
    ];
    expect(used.length).toBeGreaterThan(0);
    const known = [...Object.values(DEMO.departments), ...Object.values(DEMO.otherCountyDepartments)] as string[];
    for (const code of used) expect(known, code).toContain(code);
  });

  it('its configuration table lists every variable runtime/config.ts reads, and TEMPORAL_TEST_SERVER_PATH', () => {
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Layout'));
    for (const variable of [...CONFIG_VARIABLES, 'TEMPORAL_TEST_SERVER_PATH']) expect(table, variable).toContain(`\`${variable}\``);
  });
});
