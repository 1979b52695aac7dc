import { describe, expect, it } from 'vitest';
import { isValidMessage, loadSchemaDocuments } from '@shoal/protocol';
import { checkValue, describeRange, isRequired, nodeAt, setAt, type SchemaNode } from './schema-rules.js';

const schema = loadSchemaDocuments().get('create-job-request') as unknown as SchemaNode;
const base = { name: 'x', model: { preset: 'mnist-2nn' }, rounds: 1 };

describe('schema rules of the job form', () => {
  it('accept and refuse exactly what the coordinator\'s validator does, for every numeric and text field', () => {
    const fields = Object.entries(schema.properties ?? {}).filter(([, node]) => ['integer', 'number', 'string'].includes(String(node.type)));
    expect(fields.map(([name]) => name)).toEqual(expect.arrayContaining(['name', 'rounds', 'fractionFit', 'minFitClients', 'learningRate', 'roundDeadlineMs']));
    for (const [name, node] of fields) {
      const candidates: unknown[] = node.type === 'string' ? ['', 'a', 'x'.repeat(128), 'x'.repeat(129)] : [-1, 0, 0.5, 1, 1.5, 99, 100, 101, 4096, 4097, 100_000, 100_001, 86_400_000, 86_400_001];
      for (const value of candidates) {
        const serverAccepts = isValidMessage('create-job-request', { ...base, [name]: value });
        expect(checkValue(node, value) === undefined, `${name} = ${JSON.stringify(value)}`).toBe(serverAccepts);
      }
    }
  });

  it('reads nested nodes, required fields and ranges for help text', () => {
    expect(nodeAt(schema, '/strategy/serverLearningRate')).toMatchObject({ exclusiveMinimum: 0, maximum: 100 });
    expect(isRequired(schema, '/rounds')).toBe(true);
    expect(isRequired(schema, '/batchSize')).toBe(false);
    expect(describeRange(nodeAt(schema, '/rounds')!)).toBe('1 to 100000');
    expect(describeRange({ exclusiveMinimum: 0 })).toBe('more than 0');
    expect(describeRange(nodeAt(schema, '/roundDeadlineMs')!, (ms) => `${ms / 1000} s`)).toBe('0.1 s to 86400 s');
  });

  it('words problems for the person typing, with bounds in the field\'s unit', () => {
    expect(checkValue({ type: 'integer', minimum: 1 }, 0)).toBe('must be at least 1');
    expect(checkValue({ type: 'integer', minimum: 1 }, 1.5)).toBe('must be a whole number');
    expect(checkValue({ type: 'number', exclusiveMinimum: 0 }, 0)).toBe('must be greater than 0');
    expect(checkValue({ type: 'integer', minimum: 100 }, 50, (ms) => `${ms / 1000} s`)).toBe('must be at least 0.1 s');
    expect(checkValue({ type: 'string', minLength: 1 }, '')).toBe('must not be empty');
    expect(checkValue({ enum: ['fedavg'] }, 'fedprox')).toBe('must be one of fedavg');
  });

  it('builds nested request objects from pointers', () => {
    const body: Record<string, unknown> = {};
    setAt(body, '/rounds', 3);
    setAt(body, '/privacy/clipping/clipNorm', 1);
    setAt(body, '/privacy/mode', 'central');
    expect(body).toEqual({ rounds: 3, privacy: { clipping: { clipNorm: 1 }, mode: 'central' } });
  });
});
