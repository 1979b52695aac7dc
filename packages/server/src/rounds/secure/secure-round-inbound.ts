/**
 * The checks a secagg:* message passes before it may touch a secure round, beyond its schema: task, phase, duplicate,
 * the sets its contents must cover exactly, and byte lengths. Pure: returns the library message or throws the code.
 */
import { ShoalError, type SecAggAdvertise, type SecAggMaskedInput, type SecAggShareKeys, type SecAggUnmask, type SecureAggregationTask } from '@shoal/protocol';
import {
  advertiseFromWire,
  ringFromBytes,
  shareKeysFromWire,
  unmaskFromWire,
  type AdvertiseMessage,
  type MaskedInputMessage,
  type ShareKeysMessage,
  type UnmaskMessage,
} from '@shoal/secagg';

/** The phases after training, in order; each closes when all its clients answered, or at its timeout. */
export type SecurePhase = 'advertise' | 'share' | 'mask' | 'unmask';

/** A secagg:* event as the fleet session parsed it. */
export type SecureInbound =
  | { event: 'secagg:advertise'; message: SecAggAdvertise }
  | { event: 'secagg:share-keys'; message: SecAggShareKeys }
  | { event: 'secagg:masked-input'; message: SecAggMaskedInput; masked: Uint8Array }
  | { event: 'secagg:unmask'; message: SecAggUnmask };

export type CheckedInbound = { bytes: number } & (
  | { kind: 'advertise'; message: AdvertiseMessage }
  | { kind: 'share'; message: ShareKeysMessage }
  | { kind: 'mask'; message: MaskedInputMessage; report: SecAggMaskedInput }
  | { kind: 'unmask'; message: UnmaskMessage }
);

export interface InboundContext {
  clientId: string;
  taskId: string;
  baseVersion: number;
  phase: SecurePhase;
  /** The sender already answered the open phase. */
  answered: boolean;
  task: SecureAggregationTask;
  /** U1, U2, U3 as far as they are known, each sorted by clientId. */
  roster: readonly string[];
  sharers: readonly string[];
  included: readonly string[];
}

const PHASE_OF: Record<SecureInbound['event'], SecurePhase> = {
  'secagg:advertise': 'advertise',
  'secagg:share-keys': 'share',
  'secagg:masked-input': 'mask',
  'secagg:unmask': 'unmask',
};

function fieldError(field: string, message: string): ShoalError {
  return new ShoalError('VALIDATION_FAILED', `${field} ${message}`, { details: { problems: [{ field, message }] } });
}

/** `ids` must be exactly `expected` (in any order, each once). */
function requireExactly(ids: readonly string[], expected: readonly string[], field: string, what: string): void {
  const wanted = new Set(expected);
  const seen = new Set<string>();
  for (const id of ids) {
    if (!wanted.has(id)) throw fieldError(field, `names ${id}, which is not ${what}`);
    if (seen.has(id)) throw fieldError(field, `names ${id} twice`);
    seen.add(id);
  }
  if (seen.size !== wanted.size) throw fieldError(field, `must cover every one of ${what} (${wanted.size}), got ${seen.size}`);
}

export function checkInbound(inbound: SecureInbound, context: InboundContext): CheckedInbound {
  const { clientId, phase } = context;
  if (inbound.message.taskId !== context.taskId) throw new ShoalError('VALIDATION_FAILED', `taskId ${inbound.message.taskId} does not match the task sent (${context.taskId})`);
  const expected = PHASE_OF[inbound.event];
  if (expected !== phase) throw new ShoalError('WRONG_PHASE', `'${inbound.event}' belongs to phase '${expected}'; round ${inbound.message.round} is in phase '${phase}'`);
  if (context.answered) throw new ShoalError('DUPLICATE_UPDATE', `client ${clientId} already answered phase '${phase}' of round ${inbound.message.round}`);
  const bytes = Buffer.byteLength(JSON.stringify(inbound.message));
  switch (inbound.event) {
    case 'secagg:advertise':
      return { kind: 'advertise', bytes, message: advertiseFromWire(clientId, inbound.message) };
    case 'secagg:share-keys': {
      const others = context.roster.filter((id) => id !== clientId);
      requireExactly(inbound.message.shares.map((share) => share.to), others, '/shares', 'the other clients of the roster');
      return { kind: 'share', bytes, message: shareKeysFromWire(clientId, inbound.message.shares) };
    }
    case 'secagg:masked-input': {
      const { message, masked } = inbound;
      if (message.modelVersion !== context.baseVersion) {
        throw new ShoalError('WRONG_ROUND', `input was trained from model version ${message.modelVersion}; round ${message.round} trains version ${context.baseVersion}`);
      }
      const vector = ringFromBytes(masked, context.task.ringBits, context.task.length);
      return { kind: 'mask', bytes: bytes + masked.byteLength, message: { clientId, masked: vector }, report: message };
    }
    case 'secagg:unmask': {
      const { selfSeedShares, maskingKeyShares } = inbound.message;
      const alive = new Set(context.included);
      requireExactly(selfSeedShares.map((share) => share.of), context.included, '/selfSeedShares', 'the clients whose inputs arrived');
      requireExactly(maskingKeyShares.map((share) => share.of), context.sharers.filter((id) => !alive.has(id)), '/maskingKeyShares', 'the clients that shared keys but sent no input');
      // Every share this client holds was made for its own position in the roster.
      const x = context.roster.indexOf(clientId) + 1;
      for (const [field, shares] of [['selfSeedShares', selfSeedShares], ['maskingKeyShares', maskingKeyShares]] as const) {
        shares.forEach((share, i) => {
          if (share.x !== x) throw fieldError(`/${field}/${i}/x`, `must be ${x}, this client's position in the roster`);
        });
      }
      return { kind: 'unmask', bytes, message: unmaskFromWire(clientId, inbound.message) };
    }
  }
}

/** A secagg:* event from its schema-validated first argument and, for a masked input, the binary second argument. */
export function secureInbound(event: SecureInbound['event'], payload: unknown, binary: unknown): SecureInbound {
  if (event !== 'secagg:masked-input') return { event, message: payload } as SecureInbound;
  if (!(binary instanceof Uint8Array)) throw new ShoalError('VALIDATION_FAILED', 'secagg:masked-input needs the masked vector as its second (binary) argument');
  return { event, message: payload as SecAggMaskedInput, masked: binary };
}
