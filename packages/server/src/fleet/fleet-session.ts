/**
 * One client connection's protocol handling, independent of the transport: handshake check, validation of every
 * inbound event, dispatch to registry and jobs, and refusals with codes. socket.io and the in-memory fleet bind to it.
 */
import { randomBytes } from 'node:crypto';
import {
  CLIENT_EVENT_SCHEMAS,
  PROTOCOL_VERSION,
  ShoalError,
  isClientEventName,
  parseMessage,
  type ClientEventName,
  type HandshakeAuth,
  type MessageOf,
} from '@shoal/protocol';
import type { Logger } from 'pino';
import type { ClientConnection, ClientRegistry } from './client-registry.js';
import type { CoordinatorEvents } from '../coordinator-events.js';
import type { JobService } from '../jobs/job-service.js';
import type { CoordinatorMetrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import { secureInbound } from '../rounds/secure/secure-round-inbound.js';
import type { DeploymentService } from '../serving/deployment-service.js';
import type { DeviceIdentity } from '../identity/device-identity.js';
import type { DeviceAccess } from '../identity/device-access.js';
import type { AnonymousAdmission } from '../identity/anonymous-admission.js';
import type { Clock } from '../time/clock.js';
import { checkEventSize } from './fleet-limits.js';

export interface FleetDependencies {
  registry: ClientRegistry;
  jobs: JobService;
  store: Store;
  logger: Logger;
  metrics: CoordinatorMetrics;
  events: CoordinatorEvents;
  /** Edge serving: telemetry reports go to it. */
  serving: DeploymentService;
  devices: DeviceIdentity;
  deviceAccess: DeviceAccess;
  /** Rate limits and bounds new registrations without enrolment. */
  admission: AnonymousAdmission;
  /** What the hello timeout runs on (the connection clock, not the rounds'). */
  clock: Clock;
}

export interface FleetSessionOptions {
  heartbeatIntervalMs: number;
  serverVersion: string;
  /** A connection that has not had a hello accepted by then is closed. */
  helloTimeoutMs: number;
}

type Ack = (reply: unknown) => void;
const PERSIST_LAST_SEEN_EVERY_MS = 30_000;

/** Parses the handshake `auth` object; throws the ShoalError the connection is refused with. */
export function checkHandshake(deps: Pick<FleetDependencies, 'metrics' | 'logger'>, auth: unknown, address: string): HandshakeAuth {
  try {
    const parsed = parseMessage('handshake-auth', auth);
    if (parsed.protocolVersion !== PROTOCOL_VERSION) {
      throw new ShoalError(
        'PROTOCOL_VERSION_MISMATCH',
        `this coordinator speaks protocol v${PROTOCOL_VERSION}; the client sent v${parsed.protocolVersion}`,
        { details: { serverProtocolVersion: PROTOCOL_VERSION } },
      );
    }
    return parsed;
  } catch (error) {
    const failure = ShoalError.from(error);
    deps.metrics.rejectedMessages.inc({ code: failure.code });
    deps.logger.warn({ code: failure.code, address }, failure.message);
    throw failure;
  }
}

/** The ack of a message a job took: at once, or when the node leading the job has taken it. */
const OK = { ok: true } as const;
const accepted = (taken: void | Promise<void>): typeof OK | Promise<typeof OK> => (taken instanceof Promise ? taken.then(() => OK) : OK);

export class FleetSession {
  private clientIdValue: string | undefined;
  /** This connection's REST credential (hello issues it; it expires after the connection ends). */
  private accessToken: string | undefined;
  private lastPersistedSeenAt = 0;
  private readonly cancelHelloTimeout: () => void;

  constructor(
    private readonly deps: FleetDependencies,
    private readonly options: FleetSessionOptions,
    /** Server → client events of this connection; `protocol:error` notices go through it too. */
    private readonly connection: ClientConnection,
    /** The peer's address: anonymous registrations are counted per address. */
    private readonly address = 'unknown',
  ) {
    // A socket that answers pings but never says hello would hold its place for good.
    this.cancelHelloTimeout = deps.clock.after(options.helloTimeoutMs, () => {
      if (this.clientIdValue !== undefined) return;
      deps.metrics.rejectedMessages.inc({ code: 'UNAUTHENTICATED' });
      deps.logger.warn({ address, helloTimeoutMs: options.helloTimeoutMs }, 'closing a connection that sent no accepted hello in time');
      connection.disconnect('no hello in time');
    });
  }

  get clientId(): string | undefined {
    return this.clientIdValue;
  }

  /** One inbound event; `args` are its arguments, the last one the acknowledgement callback if the client gave one. */
  receive(event: string, args: unknown[]): void {
    if (!isClientEventName(event)) {
      this.refuse(event, args, new ShoalError('UNKNOWN_EVENT', `'${event}' is not an event of protocol v${PROTOCOL_VERSION}`));
      return;
    }
    try {
      checkEventSize(event, args);
      const payload = parseMessage(CLIENT_EVENT_SCHEMAS[event], args[0]);
      const reply = this.handle(event, payload, args);
      const ack = args.at(-1);
      // A message for a job another coordinator node leads is answered once that node has judged it.
      if (reply instanceof Promise) {
        reply.then(
          (value: unknown) => {
            if (typeof ack === 'function') (ack as Ack)(value);
          },
          (error: unknown) => this.refuse(event, args, ShoalError.from(error), this.clientIdValue),
        );
      } else if (typeof ack === 'function') (ack as Ack)(reply);
    } catch (error) {
      this.refuse(event, args, ShoalError.from(error), this.clientIdValue);
    }
  }

  /** The transport lost the connection: the client goes offline and leaves the rounds it was in. */
  disconnected(reason: string): void {
    this.cancelHelloTimeout();
    if (this.accessToken !== undefined) this.deps.deviceAccess.expire(this.accessToken);
    const clientId = this.clientIdValue;
    if (clientId === undefined) return;
    const { registry, store, jobs, events, metrics, logger } = this.deps;
    registry.unregister(clientId, this.connection);
    if (!registry.isOnline(clientId)) {
      store.touchClient(clientId, Date.now());
      jobs.clientDisconnected(clientId);
      events.emit('client:offline', { clientId });
    }
    metrics.clientsConnected.set(registry.localSize());
    logger.info({ clientId, reason }, 'client disconnected');
  }

  private handle(event: ClientEventName, payload: unknown, args: unknown[]): unknown {
    if (event === 'hello') return this.hello(payload as MessageOf<'hello-request'>);
    const clientId = this.clientIdValue;
    if (clientId === undefined) throw new ShoalError('NOT_REGISTERED', `send 'hello' before '${event}'`);
    const now = Date.now();
    this.deps.registry.heartbeat(clientId, now);
    if (now - this.lastPersistedSeenAt > PERSIST_LAST_SEEN_EVERY_MS) {
      this.deps.store.touchClient(clientId, now);
      this.lastPersistedSeenAt = now;
    }
    switch (event) {
      case 'heartbeat':
        return { ok: true };
      case 'fit:result': {
        const result = payload as MessageOf<'fit-result'>;
        const update = args[1];
        if (!(update instanceof Uint8Array)) {
          throw new ShoalError('VALIDATION_FAILED', 'fit:result needs the update frame as its second (binary) argument');
        }
        return accepted(this.deps.jobs.fitResult(clientId, result, update));
      }
      case 'fit:failure':
        return accepted(this.deps.jobs.fitFailure(clientId, payload as MessageOf<'fit-failure'>));
      case 'evaluate:result':
        return accepted(this.deps.jobs.evaluateResult(clientId, payload as MessageOf<'evaluate-result'>));
      case 'telemetry:report':
        this.deps.serving.handleTelemetry(clientId, payload as MessageOf<'telemetry-report'>);
        return { ok: true };
      case 'secagg:advertise':
      case 'secagg:share-keys':
      case 'secagg:masked-input':
      case 'secagg:unmask': {
        return accepted(this.deps.jobs.secureMessage(clientId, secureInbound(event, payload, args[1])));
      }
    }
  }

  private hello(request: MessageOf<'hello-request'>): unknown {
    const current = this.clientIdValue;
    if (current !== undefined && request.clientId !== undefined && request.clientId !== current) {
      throw new ShoalError('CONFLICT', `this connection is already registered as ${current}`);
    }
    const named = this.connection.handshakeClientId;
    if (named !== undefined && request.clientId !== undefined && request.clientId !== named) {
      throw new ShoalError('VALIDATION_FAILED', `hello names client ${request.clientId} but the handshake named ${named}; send the same clientId in both`);
    }
    const { store, registry, metrics, events, logger, devices, deviceAccess } = this.deps;
    const identity = devices.verifyHello(request.clientId ?? current, request.identity);
    const clientId = request.clientId ?? current ?? `c-${randomBytes(6).toString('hex')}`;
    // Labels from the join token are the administrator's, so a device cannot leave the cohort it was enrolled into.
    const labels = [...new Set([...(request.capabilities.labels ?? []), ...(identity.enrolled ? identity.labels : [])])];
    const capabilities = labels.length === 0 ? request.capabilities : { ...request.capabilities, labels };
    const now = Date.now();
    const record = { id: clientId, name: request.name, capabilities, firstSeenAt: now, lastSeenAt: now };
    // Only new registrations without enrolment are counted: returning clients and devices are who they say. When the
    // admission is certain to pass, the upsert alone tells whether the client is new (one statement per hello);
    // otherwise the store is read first, so a refused hello writes nothing.
    const { admission } = this.deps;
    if (identity.enrolled || admission.certain(this.address)) {
      if (store.upsertClient(record) && !identity.enrolled) admission.admitted(this.address);
    } else {
      if (store.getClient(clientId) === undefined) admission.admit(this.address);
      store.upsertClient(record);
    }
    registry.register({ id: clientId, name: request.name, capabilities, connection: this.connection, connectedAt: now, lastSeenAt: now, enrolled: identity.enrolled });
    this.clientIdValue = clientId;
    this.lastPersistedSeenAt = now;
    this.cancelHelloTimeout();
    this.connection.registered?.(clientId);
    if (this.accessToken !== undefined) deviceAccess.expire(this.accessToken);
    this.accessToken = deviceAccess.issue(clientId);
    metrics.clientsConnected.set(registry.localSize());
    events.emit('client:online', { clientId });
    logger.info({ clientId, enrolled: identity.enrolled, name: request.name, backend: request.capabilities.backend, examples: request.capabilities.numTrainExamples }, 'client registered');
    return {
      ok: true,
      clientId,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      protocolVersion: PROTOCOL_VERSION,
      serverVersion: this.options.serverVersion,
      accessToken: this.accessToken,
      enrolled: identity.enrolled,
    };
  }

  /** Sends the error to the sender (ack if it gave one, else protocol:error) and logs it; nothing else changes. */
  private refuse(event: string, args: unknown[], error: ShoalError, clientId?: string): void {
    const { metrics, logger } = this.deps;
    metrics.rejectedMessages.inc({ code: error.code });
    const log = error.code === 'INTERNAL' ? logger.error.bind(logger) : logger.warn.bind(logger);
    log({ event, clientId, code: error.code, err: error.code === 'INTERNAL' ? error.cause : undefined }, error.message);
    const ack = args.at(-1);
    if (typeof ack === 'function') (ack as Ack)({ ok: false, error: error.toWire() });
    else this.connection.send('protocol:error', { event, error: error.toWire() });
  }
}
