/** Typed socket.io event maps of the /fleet namespace, shared by the coordinator and clients. */
import type {
  AckError,
  AckOk,
  EvaluateResult,
  EvaluateTask,
  FitFailure,
  FitResult,
  FitTask,
  Heartbeat,
  HelloRequest,
  HelloResponse,
  ProtocolErrorNotice,
  TaskCancel,
} from './generated/wire-types.js';
import type { MessageName } from './validation.js';

export const FLEET_NAMESPACE = '/fleet';

export type Ack = AckOk | AckError;
export type AckCallback<T extends { ok: true } = AckOk> = (reply: T | AckError) => void;

export interface ClientToServerEvents {
  hello: (request: HelloRequest, ack: AckCallback<HelloResponse>) => void;
  heartbeat: (beat: Heartbeat, ack: AckCallback) => void;
  'fit:result': (result: FitResult, update: Uint8Array, ack: AckCallback) => void;
  'fit:failure': (failure: FitFailure, ack: AckCallback) => void;
  'evaluate:result': (result: EvaluateResult, ack: AckCallback) => void;
}

export interface ServerToClientEvents {
  'fit:task': (task: FitTask) => void;
  'evaluate:task': (task: EvaluateTask) => void;
  'task:cancel': (cancel: TaskCancel) => void;
  'protocol:error': (notice: ProtocolErrorNotice) => void;
}

/** The schema that validates the first argument of each client event. */
export const CLIENT_EVENT_SCHEMAS = {
  hello: 'hello-request',
  heartbeat: 'heartbeat',
  'fit:result': 'fit-result',
  'fit:failure': 'fit-failure',
  'evaluate:result': 'evaluate-result',
} as const satisfies Record<keyof ClientToServerEvents, MessageName>;

export const SERVER_EVENT_SCHEMAS = {
  'fit:task': 'fit-task',
  'evaluate:task': 'evaluate-task',
  'task:cancel': 'task-cancel',
  'protocol:error': 'protocol-error',
} as const satisfies Record<keyof ServerToClientEvents, MessageName>;

export type ClientEventName = keyof ClientToServerEvents;

export function isClientEventName(name: string): name is ClientEventName {
  return Object.prototype.hasOwnProperty.call(CLIENT_EVENT_SCHEMAS, name);
}
