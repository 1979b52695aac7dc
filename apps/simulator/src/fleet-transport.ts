/** How virtual clients reach the coordinator: the same protocol over an in-memory fleet or over real socket.io + HTTP. */
import type { HandshakeAuth } from '@shoal/protocol';

export interface TransportHandlers {
  /** A server → client event. */
  event(event: string, payload: unknown): void;
  disconnected(reason: string): void;
}

/** The client end of one connection. */
export interface ClientLink {
  readonly connected: boolean;
  /** Emits a client → server event; a function as the last argument receives the acknowledgement. */
  emit(event: string, ...args: unknown[]): void;
  disconnect(): void;
}

export interface FleetTransport {
  readonly name: 'memory' | 'socket';
  /** Opens a connection; rejects with the handshake refusal. */
  connect(auth: HandshakeAuth, handlers: TransportHandlers): Promise<ClientLink>;
  /** A REST credential from a hello reply; the socket transport sends it with its downloads. */
  authorize(accessToken: string): void;
  /** GET of a task's modelUrl. */
  getJson(path: string): Promise<unknown>;
  /** GET of a task's weightsUrl. */
  getBytes(path: string): Promise<Uint8Array>;
}

export interface AckReply {
  ok: boolean;
  error?: { code: string; message: string };
  [key: string]: unknown;
}

/** Emits with an acknowledgement and resolves with the reply. */
export function call(link: ClientLink, event: string, ...args: unknown[]): Promise<AckReply> {
  return new Promise((resolve) => link.emit(event, ...args, (reply: AckReply) => resolve(reply)));
}
