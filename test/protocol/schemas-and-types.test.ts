/** The JSON Schemas in protocols/v1 are the source of truth: the TypeScript types and the error table must agree with them. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CLIENT_EVENT_SCHEMAS,
  ERROR_CODES,
  SERVER_EVENT_SCHEMAS,
  isValidMessage,
  messageNames,
  parseMessage,
  type ClientToServerEvents,
  type MessageOf,
  type ServerToClientEvents,
} from '@shoal/protocol';
import { generateWireTypes } from '../../packages/protocol/scripts/generate-types.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(fileURLToPath(new URL(path, root)), 'utf8');

describe('protocol v1 schemas and types', () => {
  it('generated wire types are exactly what the schemas produce', async () => {
    expect(await generateWireTypes()).toBe(read('packages/protocol/src/generated/wire-types.ts'));
  });

  it('every socket event is validated by an existing schema', () => {
    const names = new Set(messageNames());
    for (const schema of [...Object.values(CLIENT_EVENT_SCHEMAS), ...Object.values(SERVER_EVENT_SCHEMAS)]) expect(names.has(schema)).toBe(true);
  });

  it('event map argument types are the schema-generated types', () => {
    expectTypeOf<Parameters<ClientToServerEvents['hello']>[0]>().toEqualTypeOf<MessageOf<'hello-request'>>();
    expectTypeOf<Parameters<ClientToServerEvents['heartbeat']>[0]>().toEqualTypeOf<MessageOf<'heartbeat'>>();
    expectTypeOf<Parameters<ClientToServerEvents['fit:result']>[0]>().toEqualTypeOf<MessageOf<'fit-result'>>();
    expectTypeOf<Parameters<ClientToServerEvents['fit:result']>[1]>().toEqualTypeOf<Uint8Array>();
    expectTypeOf<Parameters<ClientToServerEvents['fit:failure']>[0]>().toEqualTypeOf<MessageOf<'fit-failure'>>();
    expectTypeOf<Parameters<ClientToServerEvents['evaluate:result']>[0]>().toEqualTypeOf<MessageOf<'evaluate-result'>>();
    expectTypeOf<Parameters<ServerToClientEvents['fit:task']>[0]>().toEqualTypeOf<MessageOf<'fit-task'>>();
    expectTypeOf<Parameters<ServerToClientEvents['evaluate:task']>[0]>().toEqualTypeOf<MessageOf<'evaluate-task'>>();
    expectTypeOf<Parameters<ServerToClientEvents['task:cancel']>[0]>().toEqualTypeOf<MessageOf<'task-cancel'>>();
    expectTypeOf<Parameters<ServerToClientEvents['protocol:error']>[0]>().toEqualTypeOf<MessageOf<'protocol-error'>>();
    expectTypeOf<Parameters<ServerToClientEvents['serving:assign']>[0]>().toEqualTypeOf<MessageOf<'serving-assign'>>();
    expectTypeOf<Parameters<ClientToServerEvents['telemetry:report']>[0]>().toEqualTypeOf<MessageOf<'telemetry-report'>>();
    expectTypeOf<Parameters<ClientToServerEvents['secagg:advertise']>[0]>().toEqualTypeOf<MessageOf<'secagg-advertise'>>();
    expectTypeOf<Parameters<ClientToServerEvents['secagg:share-keys']>[0]>().toEqualTypeOf<MessageOf<'secagg-share-keys'>>();
    expectTypeOf<Parameters<ClientToServerEvents['secagg:masked-input']>[0]>().toEqualTypeOf<MessageOf<'secagg-masked-input'>>();
    expectTypeOf<Parameters<ClientToServerEvents['secagg:masked-input']>[1]>().toEqualTypeOf<Uint8Array>();
    expectTypeOf<Parameters<ClientToServerEvents['secagg:unmask']>[0]>().toEqualTypeOf<MessageOf<'secagg-unmask'>>();
    expectTypeOf<Parameters<ServerToClientEvents['secagg:roster']>[0]>().toEqualTypeOf<MessageOf<'secagg-roster'>>();
    expectTypeOf<Parameters<ServerToClientEvents['secagg:masked-input-request']>[0]>().toEqualTypeOf<MessageOf<'secagg-masked-input-request'>>();
    expectTypeOf<Parameters<ServerToClientEvents['secagg:unmask-request']>[0]>().toEqualTypeOf<MessageOf<'secagg-unmask-request'>>();
    expectTypeOf<keyof typeof CLIENT_EVENT_SCHEMAS>().toEqualTypeOf<keyof ClientToServerEvents>();
    expectTypeOf<keyof typeof SERVER_EVENT_SCHEMAS>().toEqualTypeOf<keyof ServerToClientEvents>();
  });

  it('errors.md lists exactly the codes and HTTP statuses of the error table', () => {
    const documented = [...read('protocols/v1/errors.md').matchAll(/^\| `([A-Z_]+)` \| (\d+) \|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(documented).toEqual(Object.entries(ERROR_CODES).map(([code, entry]) => [code, entry.httpStatus]));
  });

  it('the job example in rest.md is a valid CreateJobRequest', () => {
    const example = /## Creating a job\n```json\n([\s\S]*?)```/.exec(read('protocols/v1/rest.md'))![1]!;
    expect(parseMessage('create-job-request', JSON.parse(example))).toMatchObject({ name: 'mnist 2nn', rounds: 20 });
  });

  it('the deployment example in rest.md is a valid CreateDeploymentRequest', () => {
    const example = /## Serving\n[\s\S]*?```json\n([\s\S]*?)```/.exec(read('protocols/v1/rest.md'))![1]!;
    expect(parseMessage('create-deployment-request', JSON.parse(example))).toMatchObject({ version: 12, canary: { percent: 10 } });
  });

  it('accepts well-formed messages and refuses each kind of malformed one with the field named', () => {
    const task = {
      taskId: 't1-abc', jobId: 'job-1', round: 1, modelVersion: 0, modelUrl: '/m', weightsUrl: '/w', deadlineAt: 1,
      config: { localEpochs: 1, batchSize: 10, learningRate: 0.1 }, uploadCodec: { id: 'int8', params: {} },
    };
    expect(isValidMessage('fit-task', task)).toBe(true);
    const refusals: [unknown, RegExp][] = [
      [{ ...task, round: 0 }, /\/round must be >= 1/],
      [{ ...task, jobId: '../etc' }, /\/jobId must match pattern/],
      [{ ...task, config: { ...task.config, learningRate: 0 } }, /\/config\/learningRate must be > 0/],
      [{ ...task, extra: 1 }, /\/extra is not an allowed property/],
      [(({ deadlineAt: _omit, ...rest }) => rest)(task), /\/deadlineAt is required/],
      ['not an object', /\/ must be object/],
    ];
    for (const [value, message] of refusals) expect(() => parseMessage('fit-task', value)).toThrow(message);
  });
});
