/**
 * What a connected client's access token may download: the model of a job it may take part in (any job for an
 * enrolled device; for an unenrolled client, jobs that do not require enrolled devices), and the artifact its
 * serving assignment names. Anyone can say hello to a coordinator without --require-enrolment; that must not hand
 * them the models of enrolled-only jobs.
 */
import type { RequestHandler } from 'express';
import { ShoalError } from '@shoal/protocol';
import { principalOf } from '../auth/rest-guard.js';
import type { Store } from '../store/store.js';

export interface DeviceScopeDeps {
  store: Store;
  /** Whether the client is an enrolled, unrevoked device. */
  isEnrolled(clientId: string): boolean;
}

const clientOf = (principalId: string) => principalId.replace(/^device:/, '');

/** For routes of a job (`:jobId`): other credentials pass; a device must be allowed that job. */
/** Jobs whose enrolled-only flag is remembered at most; past it the memory starts again. */
const REMEMBERED_JOBS = 4_096;

export function deviceMayReadJob(deps: DeviceScopeDeps): RequestHandler {
  // A job's config never changes once it is created, so its enrolled-only flag is read (and the row mapped) once per
  // job, not on every weights download; a job not found is not remembered.
  const enrolledOnly = new Map<string, boolean>();
  const requiresEnrolment = (jobId: string): boolean | undefined => {
    let flag = enrolledOnly.get(jobId);
    if (flag === undefined) {
      const job = deps.store.getJob(jobId);
      if (job === undefined) return undefined;
      flag = job.config.requireEnrolledDevices === true;
      if (enrolledOnly.size >= REMEMBERED_JOBS) enrolledOnly.clear();
      enrolledOnly.set(jobId, flag);
    }
    return flag;
  };
  return (request, response, next) => {
    const principal = principalOf(response);
    if (principal?.role !== 'device') return next();
    const jobId = String(request.params['jobId']);
    const flag = requiresEnrolment(jobId);
    if (flag === undefined) return next(); // the route answers NOT_FOUND
    if (flag && !deps.isEnrolled(clientOf(principal.id))) {
      return next(new ShoalError('FORBIDDEN', `job ${jobId} trains on enrolled devices only; this client is not one`));
    }
    next();
  };
}

/** For routes of an artifact (`:artifactId`): a device must be assigned a deployment of it. */
export function deviceMayReadArtifact(deps: DeviceScopeDeps): RequestHandler {
  return (request, response, next) => {
    const principal = principalOf(response);
    if (principal?.role !== 'device') return next();
    const artifactId = String(request.params['artifactId']);
    const assignment = deps.store.serving.assignment(clientOf(principal.id));
    const deployment = assignment === undefined ? undefined : deps.store.serving.get(assignment.deploymentId);
    if (deployment?.artifactId !== artifactId) return next(new ShoalError('FORBIDDEN', `artifact ${artifactId} is not what this client is assigned to serve`));
    next();
  };
}
