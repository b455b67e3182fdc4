import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every new workflow evaluates the modules of the workflow bundle again (domain/lazy.ts). A module that
 * the workflow reaches through its imports and that imports zod made every new case evaluate zod's
 * library (~3 ms of the workflow thread per case in the bench:throughput profile) although the schemas
 * are built lazily and shared. Schemas live in modules of their own (domain/*-schema(s).ts), which the
 * workflow reaches only by the `require` inside workflows/case.ts `bodySchema`, evaluated when a workflow
 * first builds a schema.
 */
const ROOT = path.resolve(__dirname, '../..');

/** Relative module specifiers a file imports or re-exports for their values (`import type` erased). */
function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly) continue;
      const named = clause?.namedBindings;
      const onlyTypes = clause && !clause.name && named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      if (onlyTypes) continue;
      found.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      found.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return found;
}

function resolveLocal(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts'), base].find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile());
}

/** The modules the workflow bundle evaluates for every workflow, each with the packages it imports. */
function eagerModules(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue = [entry];
  for (let file = queue.shift(); file; file = queue.shift()) {
    if (seen.has(file)) continue;
    const packages: string[] = [];
    seen.set(file, packages);
    for (const specifier of valueImports(file)) {
      if (specifier.startsWith('.')) {
        const resolved = resolveLocal(file, specifier);
        if (resolved) queue.push(resolved);
      } else {
        packages.push(specifier);
      }
    }
  }
  return seen;
}

describe('the modules every new workflow evaluates', () => {
  const modules = eagerModules(path.join(ROOT, 'workflows/index.ts'));

  it('reach the domain rules the workflow runs (the scan follows the imports)', () => {
    const names = [...modules.keys()].map((f) => path.relative(ROOT, f));
    expect(names).toEqual(expect.arrayContaining(['workflows/case.ts', 'domain/procedure.ts', 'domain/summons.ts', 'domain/statutory.ts', 'domain/sla.ts', 'domain/time-bar.ts']));
  });

  it('do not import zod: the body schemas are built from their own modules, on first use', () => {
    const importingZod = [...modules].filter(([, packages]) => packages.some((p) => p === 'zod' || p.startsWith('zod/'))).map(([f]) => path.relative(ROOT, f));
    expect(importingZod).toEqual([]);
  });
});
