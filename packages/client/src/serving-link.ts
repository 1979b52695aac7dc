/** The socket side of serving: `serving:assign` in (validated, then downloaded and swapped in), `telemetry:report` out. */
import type { Socket } from 'socket.io-client';
import { ShoalError, parseMessage, type ClientToServerEvents, type ServerToClientEvents } from '@shoal/protocol';
import type { ServingService } from './serving-service.js';
import type { SendTelemetry } from './telemetry-reporter.js';

type FleetSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const TELEMETRY_ACK_TIMEOUT_MS = 10_000;

/** Serves every assignment the coordinator sends; a refused or failed one is reported and the old version keeps serving. */
export function listenForAssignments(socket: FleetSocket, serving: ServingService, refused: (error: ShoalError) => void): void {
  socket.on('serving:assign', (raw) => {
    try {
      serving.assign(parseMessage('serving-assign', raw)).catch((error: unknown) => refused(ShoalError.from(error)));
    } catch (error) {
      refused(ShoalError.from(error));
    }
  });
}

/** Sends reports over the client's current socket; while it is disconnected, windows are dropped (telemetry is best effort). */
export function telemetryOver(socket: () => FleetSocket | undefined): SendTelemetry {
  return async (report) => {
    const current = socket();
    if (current?.connected !== true) return;
    const reply = await current.timeout(TELEMETRY_ACK_TIMEOUT_MS).emitWithAck('telemetry:report', report);
    if (!reply.ok) throw ShoalError.fromWire(reply.error);
  };
}
