/**
 * Secure-aggregation overhead for 100 clients × 199,210 parameters (the 2NN): client and coordinator compute time and
 * bytes per client, against plain aggregation of the same update. `npm run bench:secagg [-- --clients 100 --ring 16]`
 */
import { parseArgs } from 'node:util';
import { SecAggClient, SecAggServer, encodeFixedPoint, type SecAggParameters } from '@shoal/secagg';

const { values } = parseArgs({ options: { clients: { type: 'string', default: '100' }, ring: { type: 'string', default: '16' }, length: { type: 'string', default: '199210' } } });
const N = Number(values.clients);
const D = Number(values.length);
const ringBits = Number(values.ring) as 16 | 32;
const parameters: SecAggParameters = { context: 'bench/round-1', threshold: N - Math.floor(N / 3), ringBits, length: D };
const ids = Array.from({ length: N }, (_, i) => `c${String(i).padStart(3, '0')}`);
const spec = { ringBits, clipRange: 0.05, maxClients: N };
const update = Float32Array.from({ length: D }, (_, i) => Math.sin(i) * 0.01);
const input = encodeFixedPoint(update, spec);

const clientTime = new Map(ids.map((id) => [id, 0]));
const clientBytes = new Map(ids.map((id) => [id, 0]));
const timed = <T>(id: string, work: () => T): T => {
  const started = performance.now();
  const result = work();
  clientTime.set(id, clientTime.get(id)! + performance.now() - started);
  return result;
};
let serverTime = 0;
const onServer = <T>(work: () => T): T => {
  const started = performance.now();
  const result = work();
  serverTime += performance.now() - started;
  return result;
};

const server = new SecAggServer(parameters);
const clients = ids.map((id) => new SecAggClient(id, parameters));
for (const client of clients) {
  const message = timed(client.clientId, () => client.advertise());
  clientBytes.set(client.clientId, 64);
  onServer(() => server.receiveAdvertise(message));
}
const roster = onServer(() => server.closeAdvertise());
for (const client of clients) {
  const message = timed(client.clientId, () => client.shareKeys(roster));
  clientBytes.set(client.clientId, clientBytes.get(client.clientId)! + message.shares.reduce((n, s) => n + s.ciphertext.length + s.nonce.length + 2 * 4, 0));
  onServer(() => server.receiveShareKeys(message));
}
const { survivors, deliveries } = onServer(() => server.closeShareKeys());
process.stderr.write('masking');
for (const client of clients) {
  const message = timed(client.clientId, () => client.maskedInput(deliveries.get(client.clientId)!, survivors, input));
  clientBytes.set(client.clientId, clientBytes.get(client.clientId)! + (D * ringBits) / 8);
  onServer(() => server.receiveMaskedInput(message));
  process.stderr.write('.');
}
process.stderr.write('\n');
const included = onServer(() => server.closeMaskedInput());
for (const client of clients) {
  const message = timed(client.clientId, () => client.unmask(included));
  clientBytes.set(client.clientId, clientBytes.get(client.clientId)! + (message.selfSeedShares.length + message.maskingKeyShares.length) * (8 + 40 + 2));
  onServer(() => server.receiveUnmask(message));
}
onServer(() => server.finish());

// The same round with two clients dropping out after masking, so the coordinator also removes pairwise masks.
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bytes = median([...clientBytes.values()]);
const float32 = D * 4 + 200;
const int8 = D + 4 * 6 + 200;
console.log(`secure aggregation, ${N} clients × ${D.toLocaleString()} parameters, ${ringBits}-bit ring, threshold ${parameters.threshold}`);
console.log(`  client compute (median over clients)  ${(median([...clientTime.values()]) / 1000).toFixed(2)} s`);
console.log(`  coordinator compute (whole round)     ${(serverTime / 1000).toFixed(2)} s`);
console.log(`  bytes up per client                   ${bytes.toLocaleString()} B`);
console.log(`  plain float32 update                  ${float32.toLocaleString()} B  (secagg / float32 = ${(bytes / float32).toFixed(2)}x)`);
console.log(`  plain int8 update                     ${int8.toLocaleString()} B  (secagg / int8 = ${(bytes / int8).toFixed(2)}x)`);
console.log(`  same ${ringBits}-bit vector in the clear     ${((D * ringBits) / 8).toLocaleString()} B  (expansion ${(bytes / ((D * ringBits) / 8)).toFixed(3)}x; Bonawitz et al. report 1.73x for 2^10 clients, 2^20 dims)`);
