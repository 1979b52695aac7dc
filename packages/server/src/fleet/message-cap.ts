/**
 * A per-connection cap on incoming socket.io messages. Engine.IO applies one maxHttpBufferSize to every connection,
 * so an anonymous socket could make the coordinator buffer model-sized messages before saying who it is; every
 * connection starts with a small cap, and a fleet client's rises to the full one once its hello is accepted. A
 * message over the cap closes the connection (Engine.IO cannot answer it).
 */

/** The most a connection may send before its hello is accepted: a hello with labels fits many times over. */
export const PRE_HELLO_MAX_BYTES = 64 * 1024;

/** The parts of an engine.io connection the cap touches: its transport's buffer limit (polling) or ws receiver (websocket). */
interface EngineConnection {
  transport?: { maxHttpBufferSize?: number; socket?: { _receiver?: { _maxPayload?: number } } };
  on?(event: 'upgrade', listener: () => void): unknown;
}

const CAP = Symbol('shoal message cap');

function apply(connection: EngineConnection & { [CAP]?: number }): boolean {
  const bytes = connection[CAP]!;
  const transport = connection.transport;
  let applied = false;
  // ws keeps its limit per receiver (ws 8: Receiver#_maxPayload); polling checks the transport's own property.
  const receiver = transport?.socket?._receiver;
  if (receiver !== undefined && typeof receiver._maxPayload === 'number') {
    receiver._maxPayload = bytes;
    applied = true;
  }
  if (transport !== undefined && typeof transport.maxHttpBufferSize === 'number') {
    transport.maxHttpBufferSize = bytes;
    applied = true;
  }
  return applied;
}

/** Sets the connection's cap (and keeps it across a polling → websocket upgrade); false when the transport exposes no limit. */
export function capMessages(connection: unknown, bytes: number): boolean {
  const engine = connection as EngineConnection & { [CAP]?: number };
  const first = engine[CAP] === undefined;
  engine[CAP] = bytes;
  if (first) engine.on?.('upgrade', () => apply(engine));
  return apply(engine);
}
