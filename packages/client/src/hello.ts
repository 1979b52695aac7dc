/** The client's `hello`: the request it sends (capabilities, and the key proof of an enrolled device) and its reply. */
import { activeBackend } from '@shoal/ml';
import { parseMessage, type HelloRequest, type HelloResponse } from '@shoal/protocol';
import type { LabeledExamples } from '@shoal/data';
import type { DeviceCredentials } from './device-credentials.js';

export const AGENT_VERSION = '0.1.0';

export interface HelloFacts {
  name: string;
  train: LabeledExamples;
  evaluation: LabeledExamples | undefined;
  labels: string[] | undefined;
  clientId: string | undefined;
  device: DeviceCredentials | undefined;
}

export function helloRequest(facts: HelloFacts): HelloRequest {
  const { name, train, evaluation, labels, clientId, device } = facts;
  return {
    ...(clientId === undefined ? {} : { clientId }),
    ...(device === undefined || clientId === undefined ? {} : { identity: device.helloProof(clientId) }),
    name,
    capabilities: {
      platform: `${process.platform}-${process.arch} node ${process.versions.node}`,
      backend: activeBackend() ?? 'unknown',
      agentVersion: AGENT_VERSION,
      numTrainExamples: train.count,
      numEvalExamples: evaluation?.count ?? 0,
      ...(labels === undefined ? {} : { labels }),
    },
  };
}

export type HelloOutcome = { ok: true; hello: HelloResponse } | { ok: false; error: { code: string; message: string } };

/** Validates the ack: a refusal, or the registration (client id, heartbeat interval, REST access token). */
export function helloOutcome(reply: unknown): HelloOutcome {
  const refused = reply as { ok?: unknown; error?: { code: string; message: string } };
  if (refused.ok !== true) return { ok: false, error: refused.error ?? { code: 'INTERNAL', message: 'hello was not acknowledged' } };
  return { ok: true, hello: parseMessage('hello-response', reply) };
}
