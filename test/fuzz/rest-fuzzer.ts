/**
 * A bounded, seeded REST fuzzer: sends `requests` hostile requests, one at a time, to a live coordinator and reports
 * outcomes by status and code and every finding of the judge (rest-judge.ts). The same seed sends the same requests
 * to the same state; ids the server creates during the run (jobs, tokens, deployments) join the pool it draws from.
 */
import { Agent } from 'node:http';
import { createRandom } from '@shoal/codec/testing';
import { PATIENCE_MS } from '../support/patience.js';
import { sendRaw } from './raw-http.js';
import { errorCodeOf, FINDING_KINDS, judge, type FindingKind } from './rest-judge.js';
import { nextRequest, type FuzzCredentials, type FuzzRequest } from './rest-requests.js';
import type { IdPool } from './rest-routes.js';

export type { FuzzCredentials } from './rest-requests.js';

export interface RestFuzzOptions {
  /** The coordinator's base URL (http). */
  url: string;
  requests: number;
  seed: number;
  credentials: FuzzCredentials;
  /** Ids that exist, by path parameter name: jobId, clientId, artifactId, deploymentId, tokenId, joinTokenId. */
  ids?: Record<string, readonly string[]>;
  /** How long one request may go unanswered before it counts as a hang (a guard, not a deadline). */
  hangGuardMs?: number;
  /** Findings kept per kind (all are counted). */
  keepPerKind?: number;
}

export interface RecordedFinding {
  index: number;
  kind: FindingKind;
  detail: string;
  request: string;
  mutations: string[];
}

export interface RestFuzzReport {
  requests: number;
  seed: number;
  /** By HTTP status, or `aborted` / `hang` / `no-response`. */
  byStatus: Record<string, number>;
  /** By error code of 4xx/5xx answers. */
  byCode: Record<string, number>;
  findingCounts: Record<FindingKind, number>;
  findings: RecordedFinding[];
  /** GET /healthz answered 200 after the run. */
  healthyAfter: boolean;
}

/** The id a 201 reply created, filed under the path parameter that names it, so later requests can use it. */
const CREATED_IDS: readonly { template: string; parameter: string }[] = [
  { template: '/jobs', parameter: 'jobId' },
  { template: '/tokens', parameter: 'tokenId' },
  { template: '/join-tokens', parameter: 'joinTokenId' },
  { template: '/deployments', parameter: 'deploymentId' },
  { template: '/cohorts/rollback', parameter: 'deploymentId' },
];

function remember(ids: IdPool, request: FuzzRequest, status: number, body: Buffer): void {
  if (status !== 201 || request.route === undefined) return;
  const created = CREATED_IDS.find((entry) => entry.template === request.route!.template);
  if (created === undefined) return;
  try {
    const id: unknown = (JSON.parse(body.toString('utf8')) as { id?: unknown }).id;
    if (typeof id === 'string') ids.set(created.parameter, [...(ids.get(created.parameter) ?? []), id]);
  } catch {
    // A 201 that is not JSON is the judge's business, not the pool's.
  }
}

const count = (tally: Record<string, number>, key: string) => {
  tally[key] = (tally[key] ?? 0) + 1;
};

export async function fuzzRest(options: RestFuzzOptions): Promise<RestFuzzReport> {
  const base = new URL(options.url);
  const random = createRandom(options.seed);
  const ids: IdPool = new Map(Object.entries(options.ids ?? {}).map(([name, values]) => [name, [...values]]));
  ids.set('viewerToken', [options.credentials.viewer]);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const hangGuardMs = options.hangGuardMs ?? PATIENCE_MS;
  const keepPerKind = options.keepPerKind ?? 25;
  const report: RestFuzzReport = {
    requests: options.requests,
    seed: options.seed,
    byStatus: {},
    byCode: {},
    findingCounts: Object.fromEntries(FINDING_KINDS.map((kind) => [kind, 0])) as Record<FindingKind, number>,
    findings: [],
    healthyAfter: false,
  };
  try {
    for (let index = 0; index < options.requests; index++) {
      const request = nextRequest(random, { ids, credentials: options.credentials, origin: base.origin });
      const outcome = await sendRaw(base, request, { agent, hangGuardMs });
      count(report.byStatus, outcome.kind === 'response' ? String(outcome.status) : outcome.kind);
      if (outcome.kind === 'response') {
        const code = errorCodeOf(outcome);
        if (code !== undefined) count(report.byCode, code);
        remember(ids, request, outcome.status, outcome.body);
      }
      for (const finding of judge(request, outcome)) {
        report.findingCounts[finding.kind] += 1;
        if (report.findings.filter((kept) => kept.kind === finding.kind).length >= keepPerKind) continue;
        const shown = request.path.length > 160 ? `${request.path.slice(0, 160)}…(${request.path.length} chars)` : request.path;
        report.findings.push({ index, ...finding, request: `${request.caller} ${request.method} ${shown}`, mutations: request.mutations });
      }
    }
    const health = await sendRaw(base, { method: 'GET', path: '/healthz', headers: {}, body: undefined, framing: 'exact' }, { agent, hangGuardMs });
    report.healthyAfter = health.kind === 'response' && health.status === 200;
  } finally {
    agent.destroy();
  }
  return report;
}

/** All findings: each one is the server breaking a documented rule (rest-judge.ts). */
export function violations(report: RestFuzzReport): number {
  return FINDING_KINDS.reduce((sum, kind) => sum + report.findingCounts[kind], 0);
}
