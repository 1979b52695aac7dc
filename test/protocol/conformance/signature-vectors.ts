/** Device-identity vectors: seeded Ed25519 keys, the three signed statements, and signatures that must be refused. */
import nacl from 'tweetnacl';
import { canonicalUpdateStatement, enrolStatement, helloStatement, signStatement } from '@shoal/identity';
import { base64, hex, sha256Hex, type VectorSet } from './vector-set.js';
import { statementMessages, type Statement } from './signature-messages.js';

interface Key {
  name: string;
  description: string;
  seed: Uint8Array;
}

const KEYS: Key[] = [
  { name: 'device-a', description: 'seed 00 01 02 … 1f', seed: Uint8Array.from({ length: 32 }, (_, index) => index) },
  { name: 'device-b', description: 'seed 42 repeated', seed: new Uint8Array(32).fill(0x42) },
  { name: 'rfc8032-test-1', description: 'RFC 8032 §7.1 TEST 1, so the key pair can be checked against the RFC', seed: Uint8Array.from(Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex')) },
];

const pair = (name: string) => nacl.sign.keyPair.fromSeed(KEYS.find((key) => key.name === name)!.seed);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const utf8 = (value: string) => new TextEncoder().encode(value);

/** The UTF-8 statement a verifier builds from the statement's fields. */
function statementBytes(statement: Statement, frames: (path: string) => Uint8Array): Uint8Array {
  const publicKey = (value: string) => new Uint8Array(Buffer.from(value, 'base64'));
  if (statement.type === 'enrol') return enrolStatement(statement.joinTokenId, publicKey(statement.publicKey));
  if (statement.type === 'hello') return helloStatement(statement.clientId, publicKey(statement.publicKey), statement.timestampMs);
  const payloadSha256 = sha256Hex(frames(statement.frame));
  return canonicalUpdateStatement({ jobId: statement.jobId, round: statement.round, clientId: statement.clientId, taskId: statement.taskId, payloadSha256 });
}

/** S + L: the same signature with a non-canonical S, which RFC 8032 §5.1.7 (and OpenSSL) refuse and tweetnacl accepts. */
function withNonCanonicalS(signature: Uint8Array): Uint8Array {
  const order = (1n << 252n) + 27742317777372353535851937790883648493n;
  let s = 0n;
  for (let index = 63; index >= 32; index--) s = (s << 8n) | BigInt(signature[index]!);
  let bumped = s + order;
  const out = Uint8Array.from(signature);
  for (let index = 32; index < 64; index++) {
    out[index] = Number(bumped & 0xffn);
    bumped >>= 8n;
  }
  return out;
}

export function writeSignatureVectors(set: VectorSet): string[] {
  const frames = (path: string) => set.files.get(`frames/${path.replace(/^\.\.\/frames\//, '')}`)!;
  const a = pair('device-a');
  const keys = KEYS.map((key) => {
    const { publicKey } = nacl.sign.keyPair.fromSeed(key.seed);
    return { name: key.name, description: key.description, seed: hex(key.seed), publicKeyHex: hex(publicKey), publicKey: base64(publicKey) };
  });
  const statements = statementMessages(base64(a.publicKey), frames);
  const vectors = statements.map((entry) => {
    const built = statementBytes(entry.statement, frames);
    const signed = entry.signedText === undefined ? built : utf8(entry.signedText);
    let signature = signStatement(signed, pair(entry.signer).secretKey);
    if (entry.tamper === 'flip-bit') signature = Uint8Array.from(signature, (byte, index) => (index === 0 ? byte ^ 0x01 : byte));
    if (entry.tamper === 'non-canonical-s') signature = withNonCanonicalS(signature);
    if (entry.tamper === 'zeros') signature = new Uint8Array(64);
    const verifierLayer = entry.expected.valid || entry.expected.layer === 'verifier';
    return {
      name: entry.name,
      description: entry.description,
      statement: entry.statement,
      text: text(built),
      signedText: entry.signedText,
      signer: entry.signer,
      // Schema-layer vectors carry only the message: a verifier never sees their encodings.
      publicKey: verifierLayer ? ('publicKey' in entry.statement ? entry.statement.publicKey : base64(pair(entry.verifyWith ?? entry.signer).publicKey)) : undefined,
      signature: verifierLayer ? base64(signature) : undefined,
      message: entry.message?.(base64(signature)),
      expected: entry.expected,
    };
  });
  return [
    set.json('signatures/keys.json', { kind: 'ed25519-key', description: 'Ed25519 key pairs from fixed 32-byte seeds (RFC 8032 §5.1.5)', vectors: keys }),
    set.json('signatures/statements.json', { kind: 'signature', description: 'device statements, their Ed25519 signatures as sent, and refusals', vectors }),
  ];
}
