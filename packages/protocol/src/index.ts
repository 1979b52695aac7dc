/** @shoal/protocol: the wire contract shared by the coordinator and every client. */
export { ERROR_CODES, isErrorCode, httpStatusOf } from './error-codes.js';
export type { ErrorCode } from './error-codes.js';
export { ShoalError, notImplemented } from './shoal-error.js';
export type { WireError } from './shoal-error.js';
export { elementCount, totalElements } from './tensors.js';
export type { NamedTensor, TensorSpec, TensorDtype } from './tensors.js';
