/** shoal-agent: the edge agent process (see `--help`). */
import { ShoalClient, startLocalEndpoint, type LocalEndpoint } from '@shoal/client';
import { ShoalError } from '@shoal/protocol';
import { agentCommand, resolveAgentOptions } from './agent-options.js';
import { jsonLogger } from './json-log.js';

const command = agentCommand().parse();
let options;
try {
  options = resolveAgentOptions(command.opts());
} catch (error) {
  console.error(`shoal-agent: ${ShoalError.from(error).message}`);
  process.exit(2);
}
const log = jsonLogger('agent', options.logLevel);
const client = new ShoalClient({
  coordinatorUrl: options.coordinatorUrl,
  name: options.name,
  train: options.train,
  evaluation: options.evaluation,
  stateDir: options.stateDir,
  labels: options.labels,
  seed: options.seed,
  ...(options.joinToken === undefined ? {} : { joinToken: options.joinToken }),
  ...(options.ca === undefined ? {} : { tls: { ca: options.ca } }),
  ...(options.microBatch === undefined ? {} : { serving: { microBatch: options.microBatch } }),
  onlineLearning: options.onlineLearning,
});
client.on('registered', ({ clientId }) => log.info('registered', { clientId, enrolled: client.enrolled, trainExamples: options.train.count, evalExamples: options.evaluation?.count ?? 0 }));
// The SDK honours the task's training and bounding instructions; the log says which ones this round carried (JSON drops the absent).
client.on('task:fit', ({ jobId, round, modelVersion, config: { proximalMu, updateClipNorm, privacy } }) =>
  log.info('fit task', { jobId, round, modelVersion, proximalMu, updateClipNorm, privacy }),
);
client.on('uploaded', (upload) => log.info('update uploaded', { ...upload, ratio: upload.bytes / upload.float32Bytes }));
client.on('evaluated', (result) => log.info('evaluated', result));
client.on('refused', (refusal) => log.warn('refused', refusal));
client.on('warning', (warning) => log.warn('warning', { message: warning.message }));
client.serving.on('swapped', (status) => log.info('serving', { ...status }));
client.on('disconnected', ({ reason }) => log.warn('disconnected', { reason }));
client.on('fatal', (error) => {
  log.error('fatal', { code: error.code, message: error.message });
  process.exit(1);
});

let endpoint: LocalEndpoint | undefined;
const shutdown = (signal: string) => {
  log.info('shutting down', { signal });
  void Promise.all([endpoint?.close(), client.stop()]).finally(() => process.exit(0));
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
await client.start();
log.info('started', { coordinator: options.coordinatorUrl, name: options.name });
if (options.servePort !== undefined) {
  endpoint = await startLocalEndpoint(client, { port: options.servePort });
  log.info('local inference endpoint', { url: endpoint.url });
}
