/**
 * Connects to /fleet speaking the Engine.IO v4 / socket.io v5 text protocol over a bare WebSocket, so a transcript
 * sees the CONNECT_ERROR payload exactly as it is on the wire (`44/fleet,{"message":…,"data":…}`), not as a
 * client library reshapes it.
 */
import WebSocket from 'ws';
import { FLEET_NAMESPACE } from '@shoal/protocol';
import { PATIENCE_MS } from '../../support/patience.js';

export type WireConnectOutcome = { connected: true } | { connectError: unknown };

export function connectOverWire(url: string, auth: unknown): Promise<WireConnectOutcome> {
  const address = new URL('/socket.io/?EIO=4&transport=websocket', url);
  address.protocol = address.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(address);
  return new Promise<WireConnectOutcome>((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`no socket.io CONNECT or CONNECT_ERROR after ${PATIENCE_MS} ms`)), PATIENCE_MS);
    const settle = (outcome: WireConnectOutcome) => {
      clearTimeout(guard);
      socket.close();
      resolve(outcome);
    };
    socket.on('error', (error) => {
      clearTimeout(guard);
      reject(error);
    });
    socket.on('message', (data: WebSocket.RawData) => {
      const text = String(data);
      if (text.startsWith('0')) socket.send(`40${FLEET_NAMESPACE},${JSON.stringify(auth)}`); // Engine.IO open
      else if (text === '2') socket.send('3'); // Engine.IO ping, pong
      else if (text.startsWith(`40${FLEET_NAMESPACE},`)) settle({ connected: true });
      else if (text.startsWith(`44${FLEET_NAMESPACE},`)) settle({ connectError: JSON.parse(text.slice(`44${FLEET_NAMESPACE},`.length)) as unknown });
    });
  });
}
