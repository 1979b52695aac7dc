/** The socket.io /fleet namespace: handshake check, validation of every inbound event, dispatch to registry and jobs. */
import { randomBytes } from 'node:crypto';
import type { Namespace, Socket } from 'socket.io';
import {
  CLIENT_EVENT_SCHEMAS,
  PROTOCOL_VERSION,
  ShoalError,
  isClientEventName,
  parseMessage,
  type ClientEventName,
  type MessageOf,
} from '@shoal/protocol';
import type { Logger } from 'pino';
import type { ClientRegistry, ClientConnection } from './client-registry.js';
import type { JobService } from './job-service.js';
import type { SqliteStore } from './store/sqlite-store.js';
import type { CoordinatorMetrics } from './metrics.js';
import type { CoordinatorEvents } from './coordinator-events.js';

export interface FleetGatewayOptions {
  heartbeatIntervalMs: number;
  serverVersion: string;
}

interface SocketState {
  clientId: string | undefined;
  lastPersistedSeenAt: number;
}

const PERSIST_LAST_SEEN_EVERY_MS = 30_000;
type Ack = (reply: unknown) => void;

export class FleetGateway {
  constructor(
    private readonly deps: {
      registry: ClientRegistry;
      jobs: JobService;
      store: SqliteStore;
      logger: Logger;
      metrics: CoordinatorMetrics;
      events: CoordinatorEvents;
    },
    private readonly options: FleetGatewayOptions,
  ) {}

  attach(namespace: Namespace): void {
    namespace.use((socket, next) => {
      try {
        const auth = parseMessage('handshake-auth', socket.handshake.auth);
        if (auth.protocolVersion !== PROTOCOL_VERSION) {
          throw new ShoalError(
            'PROTOCOL_VERSION_MISMATCH',
            `this coordinator speaks protocol v${PROTOCOL_VERSION}; the client sent v${auth.protocolVersion}`,
            { details: { serverProtocolVersion: PROTOCOL_VERSION } },
          );
        }
        next();
      } catch (error) {
        const failure = ShoalError.from(error);
        this.deps.metrics.rejectedMessages.inc({ code: failure.code });
        this.deps.logger.warn({ code: failure.code, address: socket.handshake.address }, failure.message);
        next(Object.assign(new Error(failure.message), { data: failure.toWire() }));
      }
    });
    namespace.on('connection', (socket) => this.onConnection(socket));
  }

  private onConnection(socket: Socket): void {
    const state: SocketState = { clientId: undefined, lastPersistedSeenAt: 0 };
    const connection: ClientConnection = {
      send: (event, payload) => void socket.emit(event, payload),
      disconnect: () => void socket.disconnect(true),
    };
    socket.onAny((event: string, ...args: unknown[]) => {
      if (isClientEventName(event)) return;
      this.refuse(socket, event, args, new ShoalError('UNKNOWN_EVENT', `'${event}' is not an event of protocol v${PROTOCOL_VERSION}`));
    });
    for (const event of Object.keys(CLIENT_EVENT_SCHEMAS) as ClientEventName[]) {
      socket.on(event, (...args: unknown[]) => {
        try {
          const payload = parseMessage(CLIENT_EVENT_SCHEMAS[event], args[0]);
          const reply = this.handle(event, payload, args, state, connection);
          const ack = args.at(-1);
          if (typeof ack === 'function') (ack as Ack)(reply);
        } catch (error) {
          this.refuse(socket, event, args, ShoalError.from(error), state.clientId);
        }
      });
    }
    socket.on('disconnect', (reason) => {
      if (state.clientId === undefined) return;
      const clientId = state.clientId;
      this.deps.registry.unregister(clientId, connection);
      if (!this.deps.registry.isOnline(clientId)) {
        this.deps.store.touchClient(clientId, Date.now());
        this.deps.jobs.clientDisconnected(clientId);
        this.deps.events.emit('client:offline', { clientId });
      }
      this.deps.metrics.clientsConnected.set(this.deps.registry.size());
      this.deps.logger.info({ clientId, reason }, 'client disconnected');
    });
  }

  private handle(event: ClientEventName, payload: unknown, args: unknown[], state: SocketState, connection: ClientConnection): unknown {
    if (event === 'hello') return this.hello(payload as MessageOf<'hello-request'>, state, connection);
    const clientId = state.clientId;
    if (clientId === undefined) throw new ShoalError('NOT_REGISTERED', `send 'hello' before '${event}'`);
    const now = Date.now();
    this.deps.registry.heartbeat(clientId, now);
    if (now - state.lastPersistedSeenAt > PERSIST_LAST_SEEN_EVERY_MS) {
      this.deps.store.touchClient(clientId, now);
      state.lastPersistedSeenAt = now;
    }
    switch (event) {
      case 'heartbeat':
        return { ok: true };
      case 'fit:result': {
        const result = payload as MessageOf<'fit-result'>;
        const update = args[1];
        if (!(update instanceof Uint8Array)) {
          throw new ShoalError('VALIDATION_FAILED', "fit:result needs the update frame as its second (binary) argument");
        }
        this.deps.jobs.runner(result.jobId).handleFitResult(clientId, result, update);
        return { ok: true };
      }
      case 'fit:failure': {
        const failure = payload as MessageOf<'fit-failure'>;
        this.deps.jobs.runner(failure.jobId).handleFitFailure(clientId, failure.round, failure.error.code, failure.error.message);
        return { ok: true };
      }
      case 'evaluate:result': {
        const result = payload as MessageOf<'evaluate-result'>;
        this.deps.jobs.runner(result.jobId).handleEvaluateResult(clientId, result);
        return { ok: true };
      }
    }
  }

  private hello(request: MessageOf<'hello-request'>, state: SocketState, connection: ClientConnection): unknown {
    if (state.clientId !== undefined && request.clientId !== undefined && request.clientId !== state.clientId) {
      throw new ShoalError('CONFLICT', `this connection is already registered as ${state.clientId}`);
    }
    const clientId = request.clientId ?? state.clientId ?? `c-${randomBytes(6).toString('hex')}`;
    const now = Date.now();
    const known = this.deps.store.getClient(clientId);
    this.deps.store.upsertClient({ id: clientId, name: request.name, capabilities: request.capabilities, firstSeenAt: known?.firstSeenAt ?? now, lastSeenAt: now });
    this.deps.registry.register({ id: clientId, name: request.name, capabilities: request.capabilities, connection, connectedAt: now, lastSeenAt: now });
    state.clientId = clientId;
    state.lastPersistedSeenAt = now;
    this.deps.metrics.clientsConnected.set(this.deps.registry.size());
    this.deps.events.emit('client:online', { clientId });
    this.deps.logger.info({ clientId, name: request.name, backend: request.capabilities.backend, examples: request.capabilities.numTrainExamples }, 'client registered');
    return {
      ok: true,
      clientId,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      protocolVersion: PROTOCOL_VERSION,
      serverVersion: this.options.serverVersion,
    };
  }

  /** Sends the error to the sender (ack if it gave one, else protocol:error) and logs it; nothing else changes. */
  private refuse(socket: Socket, event: string, args: unknown[], error: ShoalError, clientId?: string): void {
    this.deps.metrics.rejectedMessages.inc({ code: error.code });
    const log = error.code === 'INTERNAL' ? this.deps.logger.error.bind(this.deps.logger) : this.deps.logger.warn.bind(this.deps.logger);
    log({ event, clientId, code: error.code, err: error.code === 'INTERNAL' ? error.cause : undefined }, error.message);
    const ack = args.at(-1);
    if (typeof ack === 'function') (ack as Ack)({ ok: false, error: error.toWire() });
    else socket.emit('protocol:error', { event, error: error.toWire() });
  }
}
