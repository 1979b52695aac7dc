/** @shoal/data/testing: helpers for tests of data sets and partitions. */
export { coversExactlyOnce, sameExamples, shoalErrorFrom, temporaryDir } from './test-support.js';
