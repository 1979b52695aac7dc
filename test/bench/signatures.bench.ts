/**
 * Ed25519 verifies per second: tweetnacl (pure JS, what clients and browsers use) against Node's crypto (OpenSSL),
 * on the same signatures over a 32-byte update digest. `npm run bench:signatures`
 */
import { createPublicKey, verify } from 'node:crypto';
import nacl from 'tweetnacl';

const MESSAGES = 200;
const RUNS = 5;
const keys = nacl.sign.keyPair();
// The upload signature covers (job, round, client, SHA-256 of the frame); a 32-byte digest stands in for it here.
const messages = Array.from({ length: MESSAGES }, () => nacl.randomBytes(32));
const signatures = messages.map((message) => nacl.sign.detached(message, keys.secretKey));
// Node takes Ed25519 public keys as SPKI DER: a fixed 12-byte prefix followed by the raw 32-byte key.
const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(keys.publicKey)]);
const nodeKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });

function rate(verifyOne: (i: number) => boolean, count: number): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) if (!verifyOne(i % MESSAGES)) throw new Error('a valid signature failed to verify');
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const tweetnaclRates: number[] = [];
const nodeRates: number[] = [];
for (let run = 0; run < RUNS; run++) {
  tweetnaclRates.push(rate((i) => nacl.sign.detached.verify(messages[i]!, signatures[i]!, keys.publicKey), MESSAGES));
  nodeRates.push(rate((i) => verify(null, messages[i]!, nodeKey, signatures[i]!), MESSAGES * 20));
}
const forged = Uint8Array.from(signatures[0]!);
forged[0]! ^= 1;
if (verify(null, messages[0]!, nodeKey, forged) || nacl.sign.detached.verify(messages[0]!, forged, keys.publicKey)) throw new Error('forgery accepted');
console.log(`Ed25519 verify, median of ${RUNS} runs (same keys and signatures for both):`);
console.log(`  tweetnacl   ${median(tweetnaclRates).toFixed(0).padStart(8)} verifies/s`);
console.log(`  node:crypto ${median(nodeRates).toFixed(0).padStart(8)} verifies/s`);
console.log(`  ratio node:crypto / tweetnacl = ${(median(nodeRates) / median(tweetnaclRates)).toFixed(1)}x`);
