/** The signature cases: which statement, who signs what, how the signature is sent, and what a verifier must answer. */
import type { MessageName } from '@shoal/protocol';
import { sha256Hex } from './vector-set.js';

export type Statement =
  | { type: 'enrol'; joinToken: string; joinTokenId: string; publicKey: string }
  | { type: 'hello'; clientId: string; publicKey: string; timestampMs: number }
  | { type: 'update'; jobId: string; round: number; clientId: string; taskId: string; frame: string; payloadSha256: string };

export type Expected = { valid: true } | { valid: false; layer: 'verifier' | 'schema'; code: 'SIGNATURE_INVALID' | 'VALIDATION_FAILED' };

export interface StatementCase {
  name: string;
  description: string;
  statement: Statement;
  /** The key (signatures/keys.json) that signed. */
  signer: string;
  /** The key whose public key the update is verified with, when not the signer's (enrol and hello carry theirs). */
  verifyWith?: string;
  /** What the signer actually signed, when it is not the text the verifier builds. */
  signedText?: string;
  tamper?: 'flip-bit' | 'non-canonical-s' | 'zeros';
  /** The message that carries the signature, as sent. */
  message?: (signature: string) => { schema: MessageName; body: unknown };
  expected: Expected;
}

const JOIN_TOKEN = 'jt-0a1b2c3d.c2hvYWwtY29uZm9ybWFuY2UtdG9rZW4';
const CLIENT = 'd-5e1f0c2a9b3d';
const TIMESTAMP = 1_767_225_600_000;
const FRAME = '../frames/float32/tiny-delta.bin';
const OTHER_FRAME = '../frames/int8/tiny-delta.bin';
const valid: Expected = { valid: true };
const refused: Expected = { valid: false, layer: 'verifier', code: 'SIGNATURE_INVALID' };
const unparsable: Expected = { valid: false, layer: 'schema', code: 'VALIDATION_FAILED' };

const enrolMessage = (publicKey: string, signature: string) => ({ schema: 'enrol-device-request' as const, body: { joinToken: JOIN_TOKEN, publicKey, signature, name: 'sensor-7' } });
const helloMessage = (publicKey: string, signature: string, timestampMs = TIMESTAMP) => ({
  schema: 'hello-request' as const,
  body: {
    clientId: CLIENT,
    name: 'sensor-7',
    capabilities: { platform: 'linux-arm64', backend: 'wasm', agentVersion: '0.1.0', numTrainExamples: 600, numEvalExamples: 100 },
    identity: { publicKey, timestampMs, signature },
  },
});
const fitMessage = (statement: Extract<Statement, { type: 'update' }>, signature: string) => ({
  schema: 'fit-result' as const,
  body: { taskId: statement.taskId, jobId: statement.jobId, round: statement.round, modelVersion: 2, numExamples: 600, durationMs: 1520, metrics: { loss: 0.4375, accuracy: 0.875 }, signature },
});

export function statementMessages(publicKeyA: string, frames: (path: string) => Uint8Array): StatementCase[] {
  const enrol: Statement = { type: 'enrol', joinToken: JOIN_TOKEN, joinTokenId: 'jt-0a1b2c3d', publicKey: publicKeyA };
  const hello = (timestampMs = TIMESTAMP): Statement => ({ type: 'hello', clientId: CLIENT, publicKey: publicKeyA, timestampMs });
  const update = (changes: Partial<Extract<Statement, { type: 'update' }>> = {}): Extract<Statement, { type: 'update' }> => {
    const frame = changes.frame ?? FRAME;
    return { type: 'update', jobId: 'job-mnist-1', round: 3, clientId: CLIENT, taskId: 'task-3.d-5e1f0c2a9b3d', ...changes, frame, payloadSha256: sha256Hex(frames(frame)) };
  };
  const original = update();
  const originalText = ['shoal-update-v1', original.jobId, String(original.round), original.clientId, original.taskId, original.payloadSha256].join('\n');
  const signedUpdate = (name: string, description: string, statement: Extract<Statement, { type: 'update' }>, rest: Partial<StatementCase> = {}): StatementCase => ({
    name,
    description,
    statement,
    signer: 'device-a',
    message: (signature) => fitMessage(statement, signature),
    expected: refused,
    ...rest,
  });
  const altered = (field: string, changes: Partial<Extract<Statement, { type: 'update' }>>) =>
    signedUpdate(`update-altered-${field}`, `the update statement signed for the original ${field}, sent with another`, update(changes), { signedText: originalText });
  const schema = (name: string, description: string, message: StatementCase['message'], statement: Statement = original): StatementCase => ({
    name,
    description,
    statement,
    signer: 'device-a',
    message,
    expected: unparsable,
  });
  return [
    { name: 'enrol', description: "POST /api/v1/devices: the join token's id is the part before its first '.'", statement: enrol, signer: 'device-a', message: (s) => enrolMessage(publicKeyA, s), expected: valid },
    { name: 'hello', description: 'the hello identity proof', statement: hello(), signer: 'device-a', message: (s) => helloMessage(publicKeyA, s), expected: valid },
    signedUpdate('update', `fit:result over frames/${FRAME.slice(10)}`, original, { expected: valid }),
    signedUpdate('update-rfc8032-key', `fit:result over frames/${OTHER_FRAME.slice(10)}, signed with the RFC 8032 key`, update({ frame: OTHER_FRAME }), { signer: 'rfc8032-test-1', expected: valid }),
    signedUpdate('update-wrong-key', 'signed by device-b, verified with device-a’s enrolled key', original, { signer: 'device-b', verifyWith: 'device-a' }),
    altered('round', { round: 4 }),
    altered('jobId', { jobId: 'job-mnist-2' }),
    altered('clientId', { clientId: 'd-000000000000' }),
    altered('taskId', { taskId: 'task-4.d-5e1f0c2a9b3d' }),
    altered('payload', { frame: OTHER_FRAME }),
    signedUpdate('update-uppercase-hash', 'the signer wrote the SHA-256 in uppercase hex; the statement uses lowercase', original, { signedText: originalText.replace(original.payloadSha256, original.payloadSha256.toUpperCase()) }),
    signedUpdate('update-trailing-newline', 'the signer appended a newline to the statement', original, { signedText: `${originalText}\n` }),
    signedUpdate('update-crlf', 'the signer separated the fields with CR LF', original, { signedText: originalText.replace(/\n/g, '\r\n') }),
    signedUpdate('update-flipped-bit', 'bit 0 of the signature flipped', original, { tamper: 'flip-bit' }),
    signedUpdate('update-non-canonical-s', 'S + L in place of S (RFC 8032 §5.1.7 requires S < L; tweetnacl would accept it)', original, { tamper: 'non-canonical-s' }),
    signedUpdate('update-zero-signature', '64 zero bytes', original, { tamper: 'zeros' }),
    {
      name: 'enrol-full-token',
      description: 'the signer put the whole join token, secret included, where the statement has its id',
      statement: enrol,
      signer: 'device-a',
      signedText: `shoal-enrol-v1\n${JOIN_TOKEN}\n${publicKeyA}`,
      message: (s) => enrolMessage(publicKeyA, s),
      expected: refused,
    },
    {
      name: 'enrol-wrong-key',
      description: 'device-a’s public key, signed by device-b',
      statement: enrol,
      signer: 'device-b',
      message: (s) => enrolMessage(publicKeyA, s),
      expected: refused,
    },
    {
      name: 'hello-altered-timestamp',
      description: 'the proof signed for one timestamp, sent with the next millisecond',
      statement: hello(TIMESTAMP + 1),
      signer: 'device-a',
      signedText: `shoal-hello-v1\n${CLIENT}\n${publicKeyA}\n${TIMESTAMP}`,
      message: (s) => helloMessage(publicKeyA, s, TIMESTAMP + 1),
      expected: refused,
    },
    schema('hello-public-key-hex', 'identity.publicKey in hex, not base64', (s) => helloMessage(Buffer.from(publicKeyA, 'base64').toString('hex'), s), hello()),
    schema('enrol-public-key-base64url', 'publicKey in unpadded base64url', (s) => enrolMessage(Buffer.from(publicKeyA, 'base64').toString('base64url'), s), enrol),
    schema('update-signature-unpadded', 'the signature without its == padding', (s) => fitMessage(original, s.replace(/=+$/, ''))),
    schema('update-signature-63-bytes', 'the signature cut to 63 bytes', (s) => fitMessage(original, Buffer.from(s, 'base64').subarray(0, 63).toString('base64'))),
    schema('update-signature-hex', 'the signature in hex', (s) => fitMessage(original, Buffer.from(s, 'base64').toString('hex'))),
    schema('update-signature-line-break', 'the signature in MIME style, a line break after 76 characters', (s) => fitMessage(original, `${s.slice(0, 76)}\r\n${s.slice(76)}`)),
  ];
}
