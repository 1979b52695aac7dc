/** The checks of a telemetry:report beyond its schema, in the documented order; the first failure is the answer. */
import { ShoalError, type FieldProblem, type TelemetryReport } from '@shoal/protocol';
import type { Deployment } from './deployment.js';

/** Throws NOT_ASSIGNED, NON_FINITE_VALUES or VALIDATION_FAILED (naming the fields); nothing is stored then. */
export function checkTelemetryReport(report: TelemetryReport, assigned: Pick<Deployment, 'id' | 'jobId' | 'version' | 'numClasses'> | undefined): void {
  if (assigned === undefined || assigned.id !== report.deploymentId) {
    throw new ShoalError('NOT_ASSIGNED', `this client is not assigned deployment ${report.deploymentId}${assigned === undefined ? '' : `; its assignment is ${assigned.id}`}`, {
      details: { assignedDeploymentId: assigned?.id },
    });
  }
  if (assigned.jobId !== report.jobId || assigned.version !== report.version) {
    throw new ShoalError('NOT_ASSIGNED', `deployment ${assigned.id} serves ${assigned.jobId} v${assigned.version}, not ${report.jobId} v${report.version}`);
  }
  const { latencyMs } = report;
  const numbers: [string, number][] = [
    ['/latencyMs/p50', latencyMs.p50], ['/latencyMs/p95', latencyMs.p95], ['/latencyMs/p99', latencyMs.p99], ['/latencyMs/max', latencyMs.max],
    ['/inputMean', report.inputMean], ['/inputStd', report.inputStd],
  ];
  const nonFinite = numbers.filter(([, value]) => !Number.isFinite(value)).map(([field]) => field);
  if (nonFinite.length > 0) throw new ShoalError('NON_FINITE_VALUES', `telemetry ${nonFinite.join(', ')} must be finite`, { details: { fields: nonFinite } });

  const problems: FieldProblem[] = [];
  if (report.windowEndMs < report.windowStartMs) problems.push({ field: '/windowEndMs', message: 'must not be before windowStartMs' });
  if (report.errors > report.requests) problems.push({ field: '/errors', message: `must be at most requests (${report.requests})` });
  if (!(latencyMs.p50 <= latencyMs.p95 && latencyMs.p95 <= latencyMs.p99 && latencyMs.p99 <= latencyMs.max)) {
    problems.push({ field: '/latencyMs', message: 'must satisfy p50 <= p95 <= p99 <= max' });
  }
  if (report.classCounts.length !== assigned.numClasses) {
    problems.push({ field: '/classCounts', message: `must have one entry per output class of the model (${assigned.numClasses}), got ${report.classCounts.length}` });
  }
  if (report.labelled !== undefined && report.labelled.correct > report.labelled.count) problems.push({ field: '/labelled/correct', message: 'must be at most labelled.count' });
  if (problems.length > 0) {
    const summary = problems.map((problem) => `${problem.field} ${problem.message}`).join('; ');
    throw new ShoalError('VALIDATION_FAILED', `inconsistent telemetry:report: ${summary}`, { details: { problems } });
  }
}
