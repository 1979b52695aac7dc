/** A protocol-level test client speaking raw socket.io to /fleet, so tests can send exactly the bytes they mean. */
import { io, type Socket } from 'socket.io-client';
import { FLEET_NAMESPACE, PROTOCOL_VERSION, type FitTask } from '@shoal/protocol';
import { PATIENCE_MS } from './patience.js';

export type RawSocket = Socket;

export function connectRaw(url: string, auth: Record<string, unknown> = { protocolVersion: PROTOCOL_VERSION }): Promise<RawSocket> {
  const socket = io(new URL(FLEET_NAMESPACE, url).href, { transports: ['websocket'], reconnection: false, auth });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => reject(error));
  });
}

/** Emits with an ack and resolves with the reply (rejects only after PATIENCE_MS: a hang). */
export function call(socket: RawSocket, event: string, ...args: unknown[]): Promise<{ ok: boolean; error?: { code: string; message: string }; [key: string]: unknown }> {
  return socket.timeout(PATIENCE_MS).emitWithAck(event, ...args);
}

export async function helloRaw(socket: RawSocket, name: string, numTrainExamples = 100): Promise<string> {
  const reply = await call(socket, 'hello', {
    name,
    capabilities: { platform: 'test', backend: 'none', agentVersion: 'test', numTrainExamples, numEvalExamples: 0 },
  });
  if (!reply.ok) throw new Error(`hello refused: ${JSON.stringify(reply.error)}`);
  return String(reply['clientId']);
}

export function nextTask(socket: RawSocket): Promise<FitTask> {
  return new Promise((resolve) => socket.once('fit:task', resolve));
}
