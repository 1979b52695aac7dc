/** shoal-agent: the edge agent process (see `--help`). */
import { CommanderError } from 'commander';
import { ShoalClient, startLocalEndpoint, type LocalEndpoint } from '@shoal/client';
import { ShoalError } from '@shoal/protocol';
import { agentCommand, resolveAgentOptions, type AgentOptions } from './agent-options.js';
import { EXIT_CODES, exitCodeFor } from './exit-codes.js';
import { jsonLogger } from './json-log.js';

/** A failure before the agent runs is one line on stderr, never a stack trace. */
function refuse(error: unknown): never {
  const failure = ShoalError.from(error);
  console.error(`shoal-agent: ${failure.message}`);
  process.exit(exitCodeFor(failure));
}

let options: AgentOptions;
try {
  const command = agentCommand().exitOverride().parse();
  options = resolveAgentOptions(command.opts());
} catch (error) {
  // Commander has printed its message (or the help) already.
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : EXIT_CODES.badConfiguration.code);
  refuse(error);
}
const log = jsonLogger('agent', options.logLevel);
let client: ShoalClient;
try {
  client = new ShoalClient({
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
} catch (error) {
  refuse(error);
}
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
client.on('retrying', ({ address, error, code, tls, attempt, nextAttemptMs }) => {
  const hint = tls && options.ca === undefined ? "; the certificate does not verify against the system CAs: pin the coordinator's CA with --ca" : '';
  log.warn(`cannot reach ${address}: ${error}${hint}; next attempt in ${nextAttemptMs} ms`, { coordinator: address, error, code, tls, attempt, nextAttemptMs });
});
client.on('fatal', (error) => {
  log.error('fatal', { code: error.code, message: error.message, ...error.details });
  process.exit(exitCodeFor(error));
});

let endpoint: LocalEndpoint | undefined;
const shutdown = (signal: string) => {
  log.info('shutting down', { signal });
  void Promise.all([endpoint?.close(), client.stop()]).finally(() => process.exit(EXIT_CODES.stopped.code));
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
try {
  await client.start();
} catch (error) {
  // Enrolment runs before the connection: a refused join token or an unreachable coordinator ends here.
  const failure = ShoalError.from(error);
  log.error('fatal', { code: failure.code, message: failure.message });
  process.exit(exitCodeFor(failure));
}
log.info('started', { coordinator: options.coordinatorUrl, name: options.name });
if (options.servePort !== undefined) {
  endpoint = await startLocalEndpoint(client, { port: options.servePort });
  log.info('local inference endpoint', { url: endpoint.url });
}
