/** shoal-agent: the edge agent process (see `--help`). */
import { ShoalClient } from '@shoal/client';
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
  ...(options.ca === undefined ? {} : { tls: { ca: options.ca } }),
});
client.on('registered', ({ clientId }) => log.info('registered', { clientId, trainExamples: options.train.count, evalExamples: options.evaluation?.count ?? 0 }));
client.on('task:fit', (task) => log.info('fit task', { jobId: task.jobId, round: task.round, modelVersion: task.modelVersion }));
client.on('uploaded', (upload) => log.info('update uploaded', { ...upload, ratio: upload.bytes / upload.float32Bytes }));
client.on('evaluated', (result) => log.info('evaluated', result));
client.on('refused', (refusal) => log.warn('refused', refusal));
client.on('warning', (warning) => log.warn('warning', { message: warning.message }));
client.on('disconnected', ({ reason }) => log.warn('disconnected', { reason }));
client.on('fatal', (error) => {
  log.error('fatal', { code: error.code, message: error.message });
  process.exit(1);
});

const shutdown = (signal: string) => {
  log.info('shutting down', { signal });
  void client.stop().finally(() => process.exit(0));
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
await client.start();
log.info('started', { coordinator: options.coordinatorUrl, name: options.name });
