/** Locates and loads the JSON Schemas of protocols/v1, the source of truth for every wire message. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const SCHEMA_DIRECTORY = fileURLToPath(new URL('../../../protocols/v1/schemas/', import.meta.url));

export interface SchemaDocument {
  $id: string;
  title: string;
  [key: string]: unknown;
}

/** Reads every *.schema.json, keyed by file stem ('hello-request'). */
export function loadSchemaDocuments(directory: string = SCHEMA_DIRECTORY): Map<string, SchemaDocument> {
  const documents = new Map<string, SchemaDocument>();
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.schema.json')).sort()) {
    const document = JSON.parse(readFileSync(join(directory, file), 'utf8')) as SchemaDocument;
    documents.set(file.replace(/\.schema\.json$/, ''), document);
  }
  return documents;
}
