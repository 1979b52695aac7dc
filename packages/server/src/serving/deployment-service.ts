/**
 * Edge serving on the coordinator: promotes model versions to cohorts (with an optional canary), rolls back, takes
 * telemetry reports, and decides canaries on a timer and on each report. The rules are pure functions
 * (assignment-resolver, canary-decision, telemetry-checks); this class does their I/O.
 */
import { randomBytes } from 'node:crypto';
import { ShoalError, parseMessage, type TelemetryReport } from '@shoal/protocol';
import { DEFAULT_PSI_THRESHOLD } from '@shoal/edge';
import type { Logger } from 'pino';
import type { AuditLog } from '../auth/audit-log.js';
import type { ClientRegistry } from '../fleet/client-registry.js';
import type { StatusChange } from '../store/serving-records.js';
import type { Store } from '../store/store.js';
import { baselineFor, cohortState } from './assignment-resolver.js';
import { AssignmentSync } from './assignment-sync.js';
import { canaryEvidence } from './canary-evidence.js';
import { decideCanary } from './canary-decision.js';
import { cohortKey, normalizeCohort } from './cohort.js';
import { SYSTEM_ROLLOUT_ACTOR, type Deployment } from './deployment.js';
import { DeploymentTargets, describeTarget, type ArtifactLookup } from './deployment-targets.js';
import type { ReferenceProfiler } from './reference-profiler.js';
import { checkTelemetryReport } from './telemetry-checks.js';

export interface ServingSettings {
  /** Telemetry windows kept per client (older ones are dropped). */
  telemetryWindows: number;
  /** How often canaries are checked for their observation time passing. */
  checkIntervalMs: number;
  /** MNIST test images the reference distribution is measured on. */
  referenceExamples: number;
  defaultTelemetryIntervalMs: number;
}

export const SERVING_DEFAULTS: ServingSettings = { telemetryWindows: 100, checkIntervalMs: 1000, referenceExamples: 1000, defaultTelemetryIntervalMs: 60_000 };

export interface DeploymentServiceDependencies {
  store: Store;
  registry: ClientRegistry;
  logger: Logger;
  audit: AuditLog;
  profiler: ReferenceProfiler;
  lookupArtifact: ArtifactLookup;
  settings?: Partial<ServingSettings>;
}

const describeCohort = (cohort: readonly string[]) => (cohort.length === 0 ? 'the whole fleet' : `cohort [${cohort.join(', ')}]`);

export class DeploymentService {
  readonly settings: ServingSettings;
  private readonly sync: AssignmentSync;
  private readonly targets: DeploymentTargets;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: DeploymentServiceDependencies) {
    this.settings = { ...SERVING_DEFAULTS, ...deps.settings };
    this.sync = new AssignmentSync(deps.store, deps.registry, deps.logger);
    this.targets = new DeploymentTargets({ ...deps, referenceExamples: this.settings.referenceExamples });
  }

  /** Starts checking canaries (after a restart too: their state is in the store). */
  start(): void {
    this.timer ??= setInterval(() => this.checkCanaries(Date.now()), this.settings.checkIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.deps.profiler.close();
  }

  /** POST /api/v1/deployments. */
  async create(body: unknown, actor: string): Promise<Deployment> {
    const request = parseMessage('create-deployment-request', body);
    const target = this.targets.resolve(request.jobId, request.version, request.artifactId);
    const cohort = normalizeCohort(request.cohort);
    this.refuseDuringCanary(cohort);
    if (request.canary !== undefined && baselineFor(cohort, this.deps.store.serving.active()) === undefined) {
      throw new ShoalError('CONFLICT', `a canary needs a deployment serving ${describeCohort(cohort)} to compare against and fall back to; promote without a canary first`);
    }
    const reference = await this.targets.reference(target);
    this.refuseDuringCanary(cohort); // the reference took time: check again before anything changes
    const active = this.deps.store.serving.active();
    const now = Date.now();
    const id = `dep-${randomBytes(6).toString('hex')}`;
    const deployment: Deployment = {
      id,
      jobId: target.job.id,
      version: target.version,
      artifactId: target.artifactId,
      cohort,
      canary: request.canary,
      status: request.canary === undefined ? 'serving' : 'canary',
      statusReason: request.canary === undefined ? `promoted to ${describeCohort(cohort)}` : `canary to ${request.canary.percent}% of ${describeCohort(cohort)}`,
      previousDeploymentId: baselineFor(cohort, active)?.id,
      telemetryIntervalMs: request.telemetryIntervalMs ?? this.settings.defaultTelemetryIntervalMs,
      driftThreshold: request.driftThreshold ?? DEFAULT_PSI_THRESHOLD,
      reference,
      numClasses: reference?.classCounts.length ?? target.numClasses,
      createdBy: actor,
      createdAt: now,
      updatedAt: now,
    };
    const changes = request.canary === undefined ? this.supersede(cohort, deployment) : [];
    this.deps.store.serving.insertDeployment(deployment, changes);
    this.sync.syncAll(now);
    this.deps.logger.info({ deploymentId: id, jobId: deployment.jobId, version: deployment.version, cohort, status: deployment.status }, 'deployment created');
    return deployment;
  }

  /** POST /api/v1/deployments/{id}/rollback: stops a canary or serving deployment; a serving one gives way to the one before it. */
  rollback(id: string, actor: string, reason = `rolled back by ${actor}`): Deployment {
    const deployment = this.require(id);
    if (deployment.status !== 'canary' && deployment.status !== 'serving') {
      throw new ShoalError('CONFLICT', `deployment ${id} is ${deployment.status}; only a canary or serving deployment can be rolled back`);
    }
    const changes: StatusChange[] = [{ id, status: 'rolled_back', reason }];
    if (deployment.status === 'serving') {
      const restore = this.deps.store.serving
        .list({ status: 'superseded' })
        .find((candidate) => cohortKey(candidate.cohort) === cohortKey(deployment.cohort) && candidate.createdAt <= deployment.createdAt && candidate.id !== id);
      if (restore !== undefined) changes.push({ id: restore.id, status: 'serving', reason: `restored by the rollback of ${id}` });
      else if (baselineFor(deployment.cohort, this.deps.store.serving.active(), id) === undefined) {
        throw new ShoalError('CONFLICT', `nothing to roll back to: no earlier deployment serves ${describeCohort(deployment.cohort)}; serve an earlier version with POST /api/v1/cohorts/rollback`);
      }
    }
    const now = Date.now();
    this.deps.store.serving.changeStatus(changes, actor, now);
    this.sync.syncAll(now);
    this.deps.logger.warn({ deploymentId: id, actor, reason }, 'deployment rolled back');
    return this.require(id);
  }

  /** Throws the CONFLICT a cohort rollback to `target` gets now, if any. */
  private checkCohortRollback(cohort: string[], target: ReturnType<DeploymentTargets['resolve']>): void {
    const { serving, canary } = cohortState(cohort, this.deps.store.serving.active());
    if (serving === undefined && canary === undefined) {
      throw new ShoalError('CONFLICT', `nothing is served to ${describeCohort(cohort)}; promote a version with POST /api/v1/deployments`);
    }
    const current = serving === undefined ? undefined : this.require(serving.id);
    if (current !== undefined && current.jobId === target.job.id && current.version === target.version && current.artifactId === target.artifactId) {
      throw new ShoalError('CONFLICT', `${describeCohort(cohort)} already serves ${target.job.id} v${target.version} (deployment ${current.id})`);
    }
  }

  /** POST /api/v1/cohorts/rollback: serves an earlier version to a cohort at once, in place of what it serves now. */
  async rollbackCohort(body: unknown, actor: string): Promise<Deployment> {
    const request = parseMessage('cohort-rollback-request', body);
    const cohort = normalizeCohort(request.cohort);
    const target = this.targets.resolve(request.jobId, request.version, request.artifactId);
    // Refusals first: profiling the reference runs the model over held-out data (a worker, and much memory).
    this.checkCohortRollback(cohort, target);
    const reference = await this.targets.reference(target);
    this.checkCohortRollback(cohort, target); // the cohort may have changed while the reference was measured
    const { serving, canary } = cohortState(cohort, this.deps.store.serving.active());
    const current = serving === undefined ? undefined : this.require(serving.id);
    const now = Date.now();
    const what = describeTarget({ ...target, jobId: target.job.id });
    const changes: StatusChange[] = [serving, canary].flatMap((stopped) =>
      stopped === undefined ? [] : [{ id: stopped.id, status: 'rolled_back' as const, reason: `rolled back by ${actor} to ${what}` }],
    );
    const deployment: Deployment = {
      id: `dep-${randomBytes(6).toString('hex')}`,
      jobId: target.job.id,
      version: target.version,
      artifactId: target.artifactId,
      cohort,
      canary: undefined,
      status: 'serving',
      statusReason: `manual rollback of ${describeCohort(cohort)} to ${what}`,
      previousDeploymentId: current?.id,
      telemetryIntervalMs: current?.telemetryIntervalMs ?? this.settings.defaultTelemetryIntervalMs,
      driftThreshold: current?.driftThreshold ?? DEFAULT_PSI_THRESHOLD,
      reference,
      numClasses: reference?.classCounts.length ?? target.numClasses,
      createdBy: actor,
      createdAt: now,
      updatedAt: now,
    };
    this.deps.store.serving.insertDeployment(deployment, changes);
    this.sync.syncAll(now);
    this.deps.logger.warn({ deploymentId: deployment.id, cohort, jobId: target.job.id, version: target.version, actor }, 'cohort rolled back');
    return deployment;
  }

  /** A client's telemetry:report: checked, stored (bounded per client), and a canary's rule applied at once. */
  handleTelemetry(clientId: string, report: TelemetryReport): void {
    const assignment = this.deps.store.serving.assignment(clientId);
    const deployment = assignment === undefined ? undefined : this.deps.store.serving.get(assignment.deploymentId);
    checkTelemetryReport(report, deployment);
    const now = Date.now();
    this.deps.store.serving.insertWindow(
      {
        deploymentId: report.deploymentId,
        clientId,
        windowStartMs: report.windowStartMs,
        windowEndMs: report.windowEndMs,
        receivedAt: now,
        requests: report.requests,
        errors: report.errors,
        latencyMs: report.latencyMs,
        classCounts: report.classCounts,
        inputHistogram: report.inputHistogram,
        inputMean: report.inputMean,
        inputStd: report.inputStd,
        labelledCount: report.labelled?.count ?? 0,
        labelledCorrect: report.labelled?.correct ?? 0,
      },
      this.settings.telemetryWindows,
    );
    if (deployment?.status === 'canary') this.decide(deployment, now);
  }

  /** After a client's hello: (re)send its assignment. */
  /** A revoked device leaves its deployment (and is skipped by every later re-resolution). */
  clientRevoked(clientId: string): void {
    this.sync.forgetClient(clientId);
  }

  clientConnected(clientId: string): void {
    try {
      this.sync.syncClient(clientId, Date.now());
    } catch (error) {
      this.deps.logger.error({ err: error, clientId }, 'could not send the serving assignment');
    }
  }

  checkCanaries(now: number): void {
    for (const deployment of this.deps.store.serving.list({ status: 'canary' })) {
      try {
        this.decide(deployment, now);
      } catch (error) {
        this.deps.logger.error({ err: error, deploymentId: deployment.id }, 'canary check failed');
      }
    }
  }

  require(id: string): Deployment {
    const deployment = this.deps.store.serving.get(id);
    if (deployment === undefined) throw new ShoalError('NOT_FOUND', `deployment ${id} does not exist`);
    return deployment;
  }

  private decide(deployment: Deployment, now: number): void {
    if (deployment.canary === undefined) return;
    const decision = decideCanary(deployment.canary, canaryEvidence(this.deps.store, deployment, now));
    if (decision.action === 'wait') return;
    if (decision.action === 'rollback') {
      this.rollback(deployment.id, SYSTEM_ROLLOUT_ACTOR, `automatic rollback: ${decision.reason}`);
    } else {
      this.deps.store.serving.changeStatus([{ id: deployment.id, status: 'serving', reason: decision.reason }, ...this.supersede(deployment.cohort, deployment)], SYSTEM_ROLLOUT_ACTOR, now);
      this.sync.syncAll(now);
      this.deps.logger.info({ deploymentId: deployment.id, reason: decision.reason }, 'canary promoted to the whole cohort');
    }
    this.deps.audit.record({
      actor: SYSTEM_ROLLOUT_ACTOR,
      action: decision.action === 'rollback' ? 'deployment.auto_rollback' : 'deployment.promote',
      target: `deployment:${deployment.id}`,
      outcome: 'success',
      errorCode: undefined,
      address: undefined,
      detail: decision.reason,
    });
  }

  /** The cohort's serving deployment gives way to `next`. */
  private supersede(cohort: readonly string[], next: Deployment): StatusChange[] {
    const { serving } = cohortState(cohort, this.deps.store.serving.active());
    return serving === undefined || serving.id === next.id ? [] : [{ id: serving.id, status: 'superseded', reason: `superseded by ${next.id} (${next.jobId} v${next.version})` }];
  }

  private refuseDuringCanary(cohort: readonly string[]): void {
    const { canary } = cohortState(cohort, this.deps.store.serving.active());
    if (canary !== undefined) {
      throw new ShoalError('CONFLICT', `deployment ${canary.id} is a canary in progress for ${describeCohort(cohort)}; wait for it or roll it back first`);
    }
  }
}
