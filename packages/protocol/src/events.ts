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
  SecAggAdvertise,
  SecAggMaskedInput,
  SecAggMaskedInputRequest,
  SecAggRoster,
  SecAggShareKeys,
  SecAggUnmask,
  SecAggUnmaskRequest,
  ServingAssign,
  TaskCancel,
  TelemetryReport,
} from './generated/wire-types.js';
import type { MessageName } from './message-types.js';

export const FLEET_NAMESPACE = '/fleet';

export type Ack = AckOk | AckError;
export type AckCallback<T extends { ok: true } = AckOk> = (reply: T | AckError) => void;

export interface ClientToServerEvents {
  hello: (request: HelloRequest, ack: AckCallback<HelloResponse>) => void;
  heartbeat: (beat: Heartbeat, ack: AckCallback) => void;
  'fit:result': (result: FitResult, update: Uint8Array, ack: AckCallback) => void;
  'fit:failure': (failure: FitFailure, ack: AckCallback) => void;
  'evaluate:result': (result: EvaluateResult, ack: AckCallback) => void;
  'telemetry:report': (report: TelemetryReport, ack: AckCallback) => void;
  'secagg:advertise': (message: SecAggAdvertise, ack: AckCallback) => void;
  'secagg:share-keys': (message: SecAggShareKeys, ack: AckCallback) => void;
  /** `masked`: the masked ring vector, little-endian, ringBits/8 bytes per element. */
  'secagg:masked-input': (message: SecAggMaskedInput, masked: Uint8Array, ack: AckCallback) => void;
  'secagg:unmask': (message: SecAggUnmask, ack: AckCallback) => void;
}

export interface ServerToClientEvents {
  'fit:task': (task: FitTask) => void;
  'evaluate:task': (task: EvaluateTask) => void;
  'task:cancel': (cancel: TaskCancel) => void;
  'protocol:error': (notice: ProtocolErrorNotice) => void;
  'serving:assign': (assignment: ServingAssign) => void;
  'secagg:roster': (roster: SecAggRoster) => void;
  'secagg:masked-input-request': (request: SecAggMaskedInputRequest) => void;
  'secagg:unmask-request': (request: SecAggUnmaskRequest) => void;
}

/** The schema that validates the first argument of each client event. */
export const CLIENT_EVENT_SCHEMAS = {
  hello: 'hello-request',
  heartbeat: 'heartbeat',
  'fit:result': 'fit-result',
  'fit:failure': 'fit-failure',
  'evaluate:result': 'evaluate-result',
  'telemetry:report': 'telemetry-report',
  'secagg:advertise': 'secagg-advertise',
  'secagg:share-keys': 'secagg-share-keys',
  'secagg:masked-input': 'secagg-masked-input',
  'secagg:unmask': 'secagg-unmask',
} as const satisfies Record<keyof ClientToServerEvents, MessageName>;

export const SERVER_EVENT_SCHEMAS = {
  'fit:task': 'fit-task',
  'evaluate:task': 'evaluate-task',
  'task:cancel': 'task-cancel',
  'protocol:error': 'protocol-error',
  'serving:assign': 'serving-assign',
  'secagg:roster': 'secagg-roster',
  'secagg:masked-input-request': 'secagg-masked-input-request',
  'secagg:unmask-request': 'secagg-unmask-request',
} as const satisfies Record<keyof ServerToClientEvents, MessageName>;

export type ClientEventName = keyof ClientToServerEvents;

export function isClientEventName(name: string): name is ClientEventName {
  return Object.prototype.hasOwnProperty.call(CLIENT_EVENT_SCHEMAS, name);
}
