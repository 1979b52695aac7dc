/** A worker for sync-bridge.test.ts: echoes, fails with a ShoalError, or never answers. */
import { workerData } from 'node:worker_threads';
import { ShoalError } from '@shoal/protocol';
import { serveSyncBridge, type BridgeEnd } from './sync-bridge.js';

type Request = { kind: 'echo'; value: unknown } | { kind: 'fail' } | { kind: 'hang' };

serveSyncBridge<Request, unknown>((workerData as { bridge: BridgeEnd }).bridge, async (request) => {
  await new Promise((resolve) => setImmediate(resolve));
  if (request.kind === 'fail') throw new ShoalError('CONFLICT', 'the fixture refuses');
  if (request.kind === 'hang') return new Promise(() => undefined);
  return request.value;
});
