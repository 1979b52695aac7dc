/** @shoal/ml/testing: helpers for tests that train and compare models on a chosen backend. */
export { randomValues, relativeError, sameTensors, shoalErrorFrom, syntheticExamples, useBackend } from './test-support.js';
