/** The single table of Shoal error codes; the wire document protocols/v1/errors.md mirrors it (a test keeps them equal). */
export const ERROR_CODES = {
  BAD_REQUEST: { httpStatus: 400, description: 'The request is malformed.' },
  VALIDATION_FAILED: { httpStatus: 400, description: 'A payload does not match its schema; details name the field.' },
  UNKNOWN_EVENT: { httpStatus: 400, description: 'The socket event name is not part of the protocol.' },
  PROTOCOL_VERSION_MISMATCH: { httpStatus: 426, description: 'The peer speaks another protocol version.' },
  NOT_REGISTERED: { httpStatus: 409, description: 'The client must send hello before this event.' },
  UNAUTHENTICATED: { httpStatus: 401, description: 'No valid credentials were presented.' },
  FORBIDDEN: { httpStatus: 403, description: 'The credentials do not allow this action.' },
  RATE_LIMITED: { httpStatus: 429, description: 'Too many attempts; retry later.' },
  CAPACITY_EXCEEDED: { httpStatus: 503, description: 'The coordinator holds its maximum of fleet connections (--max-connections); retry later, ideally with backoff.' },
  DEVICE_NOT_ENROLLED: { httpStatus: 403, description: 'The job or coordinator accepts only enrolled devices, and this client did not prove an enrolled key.' },
  DEVICE_REVOKED: { httpStatus: 403, description: 'An administrator revoked this device; it may not connect or contribute.' },
  JOIN_TOKEN_INVALID: { httpStatus: 403, description: 'The join token is unknown, revoked, expired or used up.' },
  UPDATE_UNSIGNED: { httpStatus: 403, description: 'The update carries no device signature, and this client or job requires one.' },
  SIGNATURE_INVALID: { httpStatus: 403, description: 'A device signature does not verify for the statement (job, round, client, task, payload hash) or proof.' },
  REPLAYED_UPDATE: { httpStatus: 409, description: 'This client already delivered exactly this payload in an earlier round.' },
  LEASE_LOST: { httpStatus: 409, description: "Another coordinator node took over this job's lease (a newer fencing epoch); this node's writes for the job were refused." },
  NODE_UNAVAILABLE: { httpStatus: 503, description: 'The coordinator node that runs this job did not answer in time; retry, possibly on another node.' },
  NOT_FOUND: { httpStatus: 404, description: 'The named resource does not exist.' },
  CONFLICT: { httpStatus: 409, description: 'The resource is not in a state that allows this action.' },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, description: 'The payload exceeds a configured limit.' },
  UNKNOWN_JOB: { httpStatus: 404, description: 'The job named by the message does not exist or is not running.' },
  WRONG_ROUND: { httpStatus: 409, description: 'The message names a round that is not the job\'s open round.' },
  LATE_UPDATE: { httpStatus: 409, description: 'The round already closed; the update was not used.' },
  DUPLICATE_UPDATE: { httpStatus: 409, description: 'This client already delivered a result for this round.' },
  NOT_SELECTED: { httpStatus: 403, description: 'The client was not sampled for this round.' },
  FRAME_MALFORMED: { httpStatus: 400, description: 'A binary frame is truncated, inconsistent or has a bad header.' },
  UNKNOWN_CODEC: { httpStatus: 400, description: 'The frame names a codec that is not registered.' },
  SHAPE_MISMATCH: { httpStatus: 400, description: 'Tensor names, shapes or byte lengths do not match the model.' },
  NON_FINITE_VALUES: { httpStatus: 400, description: 'An update contains NaN or Infinity.' },
  UPDATE_OUT_OF_BOUNDS: { httpStatus: 422, description: "An update's L2 norm exceeds the job's maxUpdateNorm; it was not used." },
  WRONG_PHASE: { httpStatus: 409, description: 'The message belongs to another phase of the secure-aggregation round than the open one.' },
  ROUND_INTERRUPTED: { httpStatus: 503, description: 'The coordinator restarted during the round; its updates were not used and the job runs another round in its place.' },
  TASK_CLOSED: { httpStatus: 409, description: "The client's task for this round is over: it reported fit:failure or used up its upload attempts; the round goes on without it." },
  SECURE_AGGREGATION_ABORTED: { httpStatus: 409, description: 'Too few clients remained in a secure-aggregation round; it ended without using any input.' },
  NOT_ASSIGNED: { httpStatus: 409, description: 'The client is not assigned the deployment (job, version) the message names.' },
  UNSUPPORTED_MODEL: { httpStatus: 400, description: 'The model cannot be built or trained by this runtime.' },
  UNAVAILABLE: { httpStatus: 503, description: 'The service cannot answer yet (e.g. no model version is being served); retry later.' },
  ARTIFACT_BELOW_MIN_ACCURACY: { httpStatus: 422, description: 'No edge artifact candidate reached the requested minimum accuracy; details list each candidate.' },
  NOT_IMPLEMENTED: { httpStatus: 501, description: 'The operation or kernel is not implemented.' },
  INTERNAL: { httpStatus: 500, description: 'An unexpected failure; the message is logged on the server.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code].httpStatus;
}
