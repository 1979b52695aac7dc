/**
 * The console's one live connection: socket.io /console, authenticated by the session cookie. socket.io-client
 * reconnects by itself (e.g. across a coordinator restart); every (re)connect asks pages to refetch their state.
 */
import { io, type Socket } from 'socket.io-client';
import { CONSOLE_NAMESPACE, PROTOCOL_VERSION, type ConsoleServerToClientEvents } from '@shoal/protocol/console';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'signed-out';
type EventName = keyof ConsoleServerToClientEvents;

export class LiveConnection {
  private socket: Socket<ConsoleServerToClientEvents> | undefined;
  private state: ConnectionState = 'connecting';
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly resyncListeners = new Set<() => void>();

  constructor(private readonly onUnauthenticated: () => void) {}

  connect(): void {
    if (this.socket !== undefined) return;
    const socket: Socket<ConsoleServerToClientEvents> = io(CONSOLE_NAMESPACE, {
      auth: { protocolVersion: PROTOCOL_VERSION },
      // WebSocket only, as the agents: behind a round-robin balancer in front of several nodes, HTTP long-polling would
      // need every request of a session to reach the same node.
      transports: ['websocket'],
      withCredentials: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
    });
    this.socket = socket;
    this.setState('connecting');
    socket.on('connect', () => {
      this.setState('live');
      for (const listener of [...this.resyncListeners]) listener();
    });
    socket.on('disconnect', (reason) => {
      // The server ends the connection itself only when the session expired; anything else is retried by socket.io.
      if (reason === 'io server disconnect') this.onUnauthenticated();
      else this.setState('reconnecting');
    });
    socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
      if (error.data?.code === 'UNAUTHENTICATED') {
        this.disconnect();
        this.onUnauthenticated();
      } else {
        this.setState('reconnecting');
      }
    });
  }

  disconnect(): void {
    this.socket?.disconnect();
    this.socket = undefined;
    this.setState('signed-out');
  }

  get current(): ConnectionState {
    return this.state;
  }

  on<E extends EventName>(event: E, handler: ConsoleServerToClientEvents[E]): () => void {
    const socket = this.socket;
    if (socket === undefined) return () => undefined;
    // socket.io's typed `on` cannot relate a generic event name to its handler, hence the widening here only.
    const untyped = socket as unknown as { on(event: string, handler: unknown): void; off(event: string, handler: unknown): void };
    untyped.on(event, handler);
    return () => untyped.off(event, handler);
  }

  /** Runs after every (re)connect, so a page can refetch what it missed while disconnected. */
  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    listener(this.state);
    return () => this.stateListeners.delete(listener);
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }
}
