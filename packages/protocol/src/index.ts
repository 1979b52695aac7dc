/** @shoal/protocol: the wire contract shared by the coordinator and every client. */
export { ERROR_CODES, isErrorCode, httpStatusOf } from './error-codes.js';
export type { ErrorCode } from './error-codes.js';
export { ShoalError } from './shoal-error.js';
export type { WireError } from './shoal-error.js';
export { elementCount, totalElements } from './tensors.js';
export type { NamedTensor, TensorSpec, TensorDtype } from './tensors.js';
export { PROTOCOL_VERSION, SCHEMA_DIRECTORY, loadSchemaDocuments } from './schema-files.js';
export { parseMessage, isValidMessage, messageNames } from './validation.js';
export type { MessageName, MessageOf, FieldProblem } from './validation.js';
export {
  FLEET_NAMESPACE,
  CLIENT_EVENT_SCHEMAS,
  SERVER_EVENT_SCHEMAS,
  isClientEventName,
} from './events.js';
export type { Ack, AckCallback, ClientToServerEvents, ServerToClientEvents, ClientEventName } from './events.js';
export type {
  AckError,
  AckOk,
  CentralEvaluation,
  ClientCapabilities,
  ClientView,
  CodecChoice,
  ContributionView,
  CreateJobRequest,
  ErrorResponse,
  EvaluateConfig,
  EvaluateResult,
  EvaluateTask,
  FitConfig,
  FitFailure,
  FitMetrics,
  FitResult,
  FitTask,
  HandshakeAuth,
  Heartbeat,
  HelloRequest,
  HelloResponse,
  JobSummary,
  JobView,
  ModelSource,
  ModelVersionView,
  PresetModelSource,
  PrivacySettings,
  ClippingSettings,
  AdaptiveClipping,
  AccountantSettings,
  ClientPrivacyInstructions,
  ProtocolErrorNotice,
  RoundMetrics,
  RoundView,
  StrategyChoice,
  TaskCancel,
  TopologyModelSource,
} from './generated/wire-types.js';
