/**
 * The in-memory binding of the fleet protocol, for simulations: every connection gets the same FleetSession as a
 * socket (handshake check, schema validation, refusals with codes), and messages are delivered asynchronously
 * as copies, the way a network would deliver them, but without sockets or serialisation to bytes.
 */
import { ShoalError } from '@shoal/protocol';
import type { ClientConnection } from './client-registry.js';
import { FleetSession, checkHandshake, type FleetDependencies, type FleetSessionOptions } from './fleet-session.js';

/** What the client side of an in-memory connection receives. */
export interface MemoryClientHandlers {
  /** A server → client event (fit:task, evaluate:task, task:cancel, protocol:error). */
  event(event: string, payload: unknown): void;
  /** The connection closed; `reason` says which side closed it. */
  disconnected(reason: string): void;
}

/** The client side of an in-memory connection, shaped like a socket.io client socket. */
export interface MemoryFleetLink {
  readonly connected: boolean;
  /** Emits a client → server event; a function as the last argument receives the acknowledgement. */
  emit(event: string, ...args: unknown[]): void;
  disconnect(): void;
}

/** Copies what would cross the wire; binary attachments are handed over as they are (the sender lets go of them). */
function wireCopy(value: unknown): unknown {
  if (value instanceof Uint8Array || typeof value === 'function' || value === undefined) return value;
  return structuredClone(value);
}

export class MemoryFleet {
  constructor(
    private readonly deps: FleetDependencies,
    private readonly options: FleetSessionOptions,
  ) {}

  /** Opens a connection; throws the ShoalError a socket would get as `connect_error` (e.g. PROTOCOL_VERSION_MISMATCH). */
  connect(auth: unknown, handlers: MemoryClientHandlers): MemoryFleetLink {
    const { clientId: handshakeClientId } = checkHandshake(this.deps, wireCopy(auth), 'memory');
    // `accepting` stops new messages at once; `alive` ends delivery after what was already in flight, as on a socket.
    let accepting = true;
    let alive = true;
    const deliver = (action: () => void) => queueMicrotask(() => alive && action());
    const close = (reason: string, notifyClient: boolean) => {
      if (!accepting) return;
      accepting = false;
      queueMicrotask(() => {
        alive = false;
        session.disconnected(reason);
        if (notifyClient) handlers.disconnected(reason);
      });
    };
    const connection: ClientConnection = {
      send: (event, payload) => {
        if (!accepting) return;
        const copy = wireCopy(payload);
        deliver(() => handlers.event(event, copy));
      },
      disconnect: () => close('server namespace disconnect', true),
      handshakeClientId,
    };
    const session = new FleetSession(this.deps, this.options, connection);
    return {
      get connected() {
        return accepting;
      },
      emit: (event, ...args) => {
        if (!accepting) return;
        const last = args.at(-1);
        const copies = args.map(wireCopy);
        if (typeof last === 'function') {
          // The reply travels back like any other message: later, as a copy, and only while connected.
          copies[copies.length - 1] = (reply: unknown) => {
            const copy = wireCopy(reply);
            deliver(() => (last as (reply: unknown) => void)(copy));
          };
        }
        deliver(() => {
          try {
            session.receive(event, copies);
          } catch (error) {
            // FleetSession answers every refusal itself; anything escaping it is a bug worth seeing.
            this.deps.logger.error({ err: ShoalError.from(error), event }, 'in-memory fleet session failed');
          }
        });
      },
      disconnect: () => close('client namespace disconnect', false),
    };
  }
}
