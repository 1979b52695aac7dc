/** The socket.io binding of the /fleet namespace: each socket gets a FleetSession that does the protocol work. */
import type { Namespace, Socket } from 'socket.io';
import { ShoalError } from '@shoal/protocol';
import type { ClientConnection } from './client-registry.js';
import type { ConnectionCap } from './connection-cap.js';
import { FleetSession, checkHandshake, type FleetDependencies, type FleetSessionOptions } from './fleet-session.js';
import { capMessages } from './message-cap.js';

/** The socket.io room of one registered client. */
export const clientRoom = (clientId: string): string => `client:${clientId}`;

export interface FleetGatewayOptions extends FleetSessionOptions {
  /** The cap a connection's messages get once its hello is accepted (the engine's maxHttpBufferSize). */
  maxMessageBytes: number;
  /** The client's address (behind a trusted proxy, from X-Forwarded-For); default: the TCP peer's. */
  addressOf?: (socket: Socket) => string;
}

export class FleetGateway {
  constructor(
    private readonly deps: FleetDependencies,
    private readonly options: FleetGatewayOptions,
    /** Without one, the gateway holds any number of sockets (the in-process tests). */
    private readonly cap?: ConnectionCap,
  ) {}

  attach(namespace: Namespace): void {
    namespace.use((socket, next) => {
      try {
        socket.data.handshakeClientId = checkHandshake(this.deps, socket.handshake.auth, this.address(socket)).clientId;
        this.hold(socket);
        next();
      } catch (error) {
        const failure = ShoalError.from(error);
        next(Object.assign(new Error(failure.message), { data: failure.toWire() }));
      }
    });
    namespace.on('connection', (socket) => this.onConnection(socket));
  }

  private address(socket: Socket): string {
    return this.options.addressOf?.(socket) ?? socket.handshake.address;
  }

  /** Takes a slot of the cap (CAPACITY_EXCEEDED when none is left) until the socket or its transport closes. */
  private hold(socket: Socket): void {
    const cap = this.cap;
    if (cap === undefined) return;
    cap.acquire(socket.id);
    const release = () => cap.release(socket.id);
    // A socket refused later, or whose transport closed before it joined, never sees 'disconnect'; its transport's close frees the slot.
    socket.conn.once('close', release);
    socket.once('disconnect', release);
  }

  private onConnection(socket: Socket): void {
    const connection: ClientConnection = {
      send: (event, payload) => void socket.emit(event, payload),
      disconnect: () => void socket.disconnect(true),
      registered: (clientId) => {
        capMessages(socket.conn, this.options.maxMessageBytes);
        // Other coordinator nodes reach this client through its room (the Redis adapter carries the emit).
        void socket.join(clientRoom(clientId));
      },
      handshakeClientId: socket.data.handshakeClientId as string | undefined,
    };
    const session = new FleetSession(this.deps, this.options, connection, this.address(socket));
    // onAny sees every event with its arguments, the ack callback last when the client asked for one.
    socket.onAny((event: string, ...args: unknown[]) => session.receive(event, args));
    socket.on('disconnect', (reason) => session.disconnected(reason));
  }
}
