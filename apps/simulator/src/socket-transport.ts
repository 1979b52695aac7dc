/** The socket.io transport: each virtual client opens its own /fleet connection to a real coordinator and GETs models over HTTP. */
import { io } from 'socket.io-client';
import { FLEET_NAMESPACE, ShoalError, type HandshakeAuth } from '@shoal/protocol';
import type { ClientLink, FleetTransport, TransportHandlers } from './fleet-transport.js';

const SERVER_EVENTS = ['fit:task', 'evaluate:task', 'task:cancel', 'protocol:error'] as const;

export class SocketTransport implements FleetTransport {
  readonly name = 'socket';

  /** Any connected virtual client's credential serves the downloads of all of them (they fetch the same models). */
  private accessToken: string | undefined;

  constructor(private readonly baseUrl: string) {}

  authorize(accessToken: string): void {
    this.accessToken = accessToken;
  }

  connect(auth: HandshakeAuth, handlers: TransportHandlers): Promise<ClientLink> {
    const socket = io(new URL(FLEET_NAMESPACE, this.baseUrl).href, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { ...auth } });
    for (const event of SERVER_EVENTS) socket.on(event, (payload: unknown) => handlers.event(event, payload));
    return new Promise((resolve, reject) => {
      socket.once('connect', () => {
        socket.on('disconnect', (reason) => handlers.disconnected(reason));
        resolve({
          get connected() {
            return socket.connected;
          },
          emit: (event, ...args) => void socket.emit(event, ...args),
          disconnect: () => void socket.disconnect(),
        });
      });
      socket.once('connect_error', (error: Error & { data?: unknown }) => {
        socket.close();
        reject(error.data === undefined ? ShoalError.from(error) : ShoalError.fromWire(error.data));
      });
    });
  }

  private async get(path: string): Promise<Response> {
    const headers: Record<string, string> = this.accessToken === undefined ? {} : { authorization: `Bearer ${this.accessToken}` };
    const response = await fetch(new URL(path, this.baseUrl), { headers });
    if (!response.ok) throw new ShoalError('INTERNAL', `GET ${path} answered ${response.status}`);
    return response;
  }

  async getJson(path: string): Promise<unknown> {
    return (await this.get(path)).json();
  }

  async getBytes(path: string): Promise<Uint8Array> {
    return new Uint8Array(await (await this.get(path)).arrayBuffer());
  }
}
