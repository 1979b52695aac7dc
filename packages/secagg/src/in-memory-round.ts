/** Runs one secure-aggregation round in memory, with clients dropping out at chosen phases (for tests and benchmarks). */
import { SecAggClient } from './secagg-client.js';
import { SecAggServer } from './secagg-server.js';
import type { SecAggParameters } from './messages.js';

/** Client ids that stop responding before the named phase. */
export interface DropoutPlan {
  beforeAdvertise?: readonly string[];
  beforeShareKeys?: readonly string[];
  beforeMaskedInput?: readonly string[];
  beforeUnmask?: readonly string[];
}

export interface RoundResult {
  sum: Uint32Array;
  /** U3: the clients whose inputs are in the sum. */
  included: string[];
  server: SecAggServer;
  clients: Map<string, SecAggClient>;
  /** The masked input of each client, as the coordinator held it. */
  maskedInputs: Map<string, Uint32Array>;
  bytesUpPerClient: Map<string, number>;
}

export function runSecureAggregation(parameters: SecAggParameters, inputs: ReadonlyMap<string, Uint32Array>, dropouts: DropoutPlan = {}): RoundResult {
  const server = new SecAggServer(parameters);
  const clients = new Map([...inputs.keys()].map((id) => [id, new SecAggClient(id, parameters)]));
  const bytes = new Map([...inputs.keys()].map((id) => [id, 0]));
  const count = (id: string, n: number) => bytes.set(id, bytes.get(id)! + n);
  const active = (phase: keyof DropoutPlan) => [...clients.values()].filter((client) => !(dropouts[phase] ?? []).includes(client.clientId));

  for (const client of active('beforeAdvertise')) {
    server.receiveAdvertise(client.advertise());
    count(client.clientId, 64);
  }
  const roster = server.closeAdvertise();
  const inRoster = new Set(roster.map((entry) => entry.clientId));
  for (const client of active('beforeShareKeys').filter((c) => inRoster.has(c.clientId))) {
    const message = client.shareKeys(roster);
    server.receiveShareKeys(message);
    count(client.clientId, message.shares.reduce((n, s) => n + s.ciphertext.length + s.nonce.length + 16, 0));
  }
  const { survivors, deliveries } = server.closeShareKeys();
  const maskedInputs = new Map<string, Uint32Array>();
  for (const client of active('beforeMaskedInput').filter((c) => survivors.includes(c.clientId))) {
    const message = client.maskedInput(deliveries.get(client.clientId) ?? [], survivors, inputs.get(client.clientId)!);
    server.receiveMaskedInput(message);
    maskedInputs.set(client.clientId, message.masked);
    count(client.clientId, (message.masked.length * parameters.ringBits) / 8);
  }
  const included = server.closeMaskedInput();
  for (const client of active('beforeUnmask').filter((c) => included.includes(c.clientId))) {
    const message = client.unmask(included);
    server.receiveUnmask(message);
    count(client.clientId, (message.selfSeedShares.length + message.maskingKeyShares.length) * 42);
  }
  return { sum: server.finish(), included, server, clients, maskedInputs, bytesUpPerClient: bytes };
}
