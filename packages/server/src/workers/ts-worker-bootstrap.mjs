// Worker entry in plain JavaScript: registers tsx inside the worker thread, then loads the TypeScript module.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.tsEntry);
