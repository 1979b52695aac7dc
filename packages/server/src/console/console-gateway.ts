/**
 * The socket.io /console namespace: administrators' browsers, authenticated at the handshake by their session,
 * receive the coordinator's job, round and fleet events as they happen (protocols/v1/console.md).
 */
import type { Namespace } from 'socket.io';
import { PROTOCOL_VERSION, ShoalError, parseMessage } from '@shoal/protocol';
import { CONSOLE_NAMESPACE, type ConsoleServerToClientEvents } from '@shoal/protocol/console';
import type { Logger } from 'pino';
import type { ClientRegistry } from '../fleet/client-registry.js';
import type { CoordinatorEventMap, CoordinatorEvents } from '../coordinator-events.js';
import type { CoordinatorMetrics } from '../metrics.js';
import { credentialsFromHeaders } from '../auth/http-credentials.js';
import type { Authenticator } from '../auth/principal.js';
import type { Clock } from '../time/clock.js';
import { ProgressThrottle } from './progress-throttle.js';

const MAX_TIMER_MS = 2 ** 31 - 1;
/** How often a job's round progress may reach the consoles (progress-throttle.ts). */
const PROGRESS_INTERVAL_MS = 250;

type Payload<E extends keyof ConsoleServerToClientEvents> = Parameters<ConsoleServerToClientEvents[E]>[0];
type Forward = <E extends keyof ConsoleServerToClientEvents>(event: E, toWire: (...args: CoordinatorEventMap[E]) => Payload<E>) => void;

const defined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** Domain event → wire event: the one place console payloads are built. */
export function forwardConsoleEvents(forward: Forward, registry: ClientRegistry): void {
  forward('round:started', (e) => ({ jobId: e.jobId, round: e.round, selected: e.selected.length, deadlineAt: e.deadlineAt }));
  forward('round:progress', (e) => ({ jobId: e.jobId, round: e.round, selected: e.selected, reported: e.reported, failed: e.failed }));
  forward('round:finished', (e) => defined({ jobId: e.jobId, round: e.round, status: e.status, modelVersion: e.modelVersion, metrics: e.metrics }));
  forward('job:status', (e) => defined({ jobId: e.jobId, status: e.status, reason: e.reason }));
  forward('client:online', (e) => ({ clientId: e.clientId, online: registry.size() }));
  forward('client:offline', (e) => ({ clientId: e.clientId, online: registry.size() }));
}

export class ConsoleGateway {
  constructor(
    private readonly deps: {
      authenticator: Authenticator;
      events: CoordinatorEvents;
      registry: ClientRegistry;
      logger: Logger;
      metrics: CoordinatorMetrics;
      /** Sessions end on this clock (the coordinator's). */
      clock: Clock;
    },
  ) {}

  /** Authenticates handshakes and forwards events; returns a function that stops forwarding. */
  attach(namespace: Namespace): () => void {
    namespace.use((socket, next) => {
      try {
        const auth = parseMessage('console-handshake-auth', socket.handshake.auth);
        if (auth.protocolVersion !== PROTOCOL_VERSION) {
          throw new ShoalError('PROTOCOL_VERSION_MISMATCH', `this coordinator speaks protocol v${PROTOCOL_VERSION}; the console sent v${auth.protocolVersion}`, {
            details: { serverProtocolVersion: PROTOCOL_VERSION },
          });
        }
        const headers = credentialsFromHeaders(socket.handshake.headers);
        const principal = this.deps.authenticator.authenticate({ bearer: auth.token ?? headers.bearer, sessionSecret: headers.sessionSecret });
        if (principal === undefined) throw new ShoalError('UNAUTHENTICATED', 'no valid session: log in to the console again');
        socket.data = { principal: principal.id };
        // A session that expires while connected ends the connection; the reconnect then fails with UNAUTHENTICATED.
        if (principal.expiresAt !== undefined) {
          const { clock } = this.deps;
          const cancel = clock.after(Math.min(MAX_TIMER_MS, Math.max(0, principal.expiresAt - clock.now())), () => socket.disconnect(true));
          socket.once('disconnect', cancel);
        }
        next();
      } catch (error) {
        const failure = ShoalError.from(error);
        this.deps.metrics.rejectedMessages.inc({ code: failure.code });
        this.deps.logger.warn({ code: failure.code, namespace: CONSOLE_NAMESPACE, address: socket.handshake.address }, failure.message);
        next(Object.assign(new Error(failure.message), { data: failure.toWire() }));
      }
    });
    // The console only listens; anything it sends is ignored rather than answered.
    namespace.on('connection', (socket) => this.deps.logger.debug({ principal: socket.data.principal }, 'console connected'));

    const { events } = this.deps;
    const throttle = new ProgressThrottle<Payload<'round:progress'>>(this.deps.clock, PROGRESS_INTERVAL_MS, (payload) => namespace.emit('round:progress', payload));
    const subscriptions: (() => void)[] = [() => throttle.stop()];
    forwardConsoleEvents((event, toWire) => {
      const listener = (...args: Parameters<typeof toWire>) => {
        const payload = toWire(...args);
        const jobId = (payload as { jobId?: string }).jobId;
        if (event === 'round:progress') return throttle.progress(jobId!, payload as Payload<'round:progress'>);
        if (jobId !== undefined) throttle.flush(jobId);
        namespace.emit(event, payload);
      };
      // Node's typed EventEmitter cannot relate a generic event name to its listener; `Forward` checks the pair.
      events.on(event, listener as never);
      subscriptions.push(() => events.off(event, listener as never));
    }, this.deps.registry);
    return () => subscriptions.forEach((unsubscribe) => unsubscribe());
  }
}
