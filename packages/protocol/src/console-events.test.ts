import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { MessageOf } from './message-types.js';
import { CONSOLE_NAMESPACE, PROTOCOL_VERSION, type ConsoleServerToClientEvents } from './console-events.js';
import { PROTOCOL_VERSION as INDEX_PROTOCOL_VERSION } from './index.js';

type Payload<E extends keyof ConsoleServerToClientEvents> = Parameters<ConsoleServerToClientEvents[E]>[0];

/** The modules a file loads at run time (type-only imports are erased), followed through relative imports. */
function runtimeImports(entry: string, seen = new Set<string>()): Set<string> {
  const source = ts.createSourceFile(entry, readFileSync(entry, 'utf8'), ts.ScriptTarget.ES2022);
  for (const statement of source.statements) {
    const declaration = ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) ? statement : undefined;
    if (declaration?.moduleSpecifier === undefined || !ts.isStringLiteral(declaration.moduleSpecifier)) continue;
    const typeOnly = ts.isImportDeclaration(declaration) ? declaration.importClause?.isTypeOnly === true : declaration.isTypeOnly;
    if (typeOnly) continue;
    const specifier = declaration.moduleSpecifier.text;
    if (!specifier.startsWith('.')) {
      seen.add(specifier);
      continue;
    }
    const file = resolve(dirname(entry), specifier.replace(/\.js$/, '.ts'));
    if (seen.has(file)) continue;
    seen.add(file);
    runtimeImports(file, seen);
  }
  return seen;
}

describe('@shoal/protocol/console', () => {
  it('types every /console event by its protocols/v1 schema', () => {
    // prepare / execute: the map's keys and payloads, compared with the schema-derived message types
    expectTypeOf<keyof ConsoleServerToClientEvents>().toEqualTypeOf<'round:started' | 'round:progress' | 'round:finished' | 'job:status' | 'client:online' | 'client:offline'>();
    expectTypeOf<Payload<'round:started'>>().toEqualTypeOf<MessageOf<'console-round-started'>>();
    expectTypeOf<Payload<'round:progress'>>().toEqualTypeOf<MessageOf<'console-round-progress'>>();
    expectTypeOf<Payload<'round:finished'>>().toEqualTypeOf<MessageOf<'console-round-finished'>>();
    expectTypeOf<Payload<'job:status'>>().toEqualTypeOf<MessageOf<'console-job-status'>>();
    expectTypeOf<Payload<'client:online'>>().toEqualTypeOf<MessageOf<'console-client-presence'>>();
    expectTypeOf<Payload<'client:offline'>>().toEqualTypeOf<MessageOf<'console-client-presence'>>();
  });

  it('names the namespace and the protocol version the coordinator checks', () => {
    expect(CONSOLE_NAMESPACE).toBe('/console');
    expect(PROTOCOL_VERSION).toBe(INDEX_PROTOCOL_VERSION);
  });

  it('loads nothing but its own browser-safe modules, so the console can bundle it', () => {
    // prepare
    const entry = fileURLToPath(new URL('./console-events.ts', import.meta.url));
    // execute
    const loaded = [...runtimeImports(entry)];
    // assert: relative modules only (no node:*, ajv or other package)
    expect(loaded.filter((module) => !module.startsWith('/'))).toEqual([]);
    expect(loaded.map((file) => file.slice(dirname(entry).length + 1))).toEqual(['protocol-version.ts']);
  });
});
