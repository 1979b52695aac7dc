/**
 * @shoal/client/testing: client internals that cross-package tests drive directly (the model download session, the
 * error-feedback residual file), kept out of the SDK's own surface.
 */
export { ModelSession } from '../model-session.js';
export { parseResidualFile } from '../error-feedback.js';
