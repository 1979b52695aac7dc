/**
 * Per-event limits on what a registered client may send over /fleet, checked before an event is parsed: the JSON
 * part of each event (as serialised), and which events may carry a binary attachment at all. The connection's
 * message cap (message-cap.ts) bounds the whole message; these keep a small event from being large.
 */
import { ShoalError, type ClientEventName } from '@shoal/protocol';

/** The most bytes each event's JSON argument may take when serialised (protocols/v1/README.md §3, Size limits). */
export const EVENT_JSON_LIMITS: Readonly<Record<ClientEventName, number>> = {
  hello: 16 * 1024,
  heartbeat: 1024,
  'fit:result': 64 * 1024,
  'fit:failure': 16 * 1024,
  'evaluate:result': 16 * 1024,
  'telemetry:report': 256 * 1024,
  'secagg:advertise': 16 * 1024,
  'secagg:share-keys': 8 * 1024 * 1024,
  'secagg:masked-input': 64 * 1024,
  'secagg:unmask': 8 * 1024 * 1024,
};

/** Events whose second argument is a binary frame. */
const BINARY_EVENTS: ReadonlySet<ClientEventName> = new Set(['fit:result', 'secagg:masked-input']);

function serialisedBytes(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '');
  } catch {
    return Number.POSITIVE_INFINITY; // cycles or BigInt cannot have come off the wire as JSON
  }
}

/** Throws PAYLOAD_TOO_LARGE or VALIDATION_FAILED, naming the event and its limit. */
export function checkEventSize(event: ClientEventName, args: readonly unknown[]): void {
  const limit = EVENT_JSON_LIMITS[event];
  const bytes = serialisedBytes(args[0]);
  if (bytes > limit) throw new ShoalError('PAYLOAD_TOO_LARGE', `'${event}' payload of ${bytes} bytes exceeds its limit of ${limit}`, { details: { event, bytes, limit } });
  const binary = args.slice(1).some((arg) => arg instanceof Uint8Array || arg instanceof ArrayBuffer);
  if (binary && !BINARY_EVENTS.has(event)) throw new ShoalError('VALIDATION_FAILED', `'${event}' takes no binary attachment`);
}
