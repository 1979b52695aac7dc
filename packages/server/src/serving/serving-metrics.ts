/** Prometheus gauges of edge serving, computed when /metrics is scraped: deployments by status and drift per active deployment. */
import { Gauge, type Registry } from 'prom-client';
import type { Store } from '../store/store.js';
import { driftReport } from './drift-report.js';
import type { DeploymentStatus } from './deployment.js';

const STATUSES: readonly DeploymentStatus[] = ['canary', 'serving', 'superseded', 'rolled_back'];

export function registerServingMetrics(registry: Registry, store: Store): void {
  new Gauge({
    name: 'shoal_serving_deployments',
    help: 'Deployments by status',
    labelNames: ['status'] as const,
    registers: [registry],
    collect() {
      const counts = new Map<string, number>();
      for (const deployment of store.serving.list()) counts.set(deployment.status, (counts.get(deployment.status) ?? 0) + 1);
      for (const status of STATUSES) this.set({ status }, counts.get(status) ?? 0);
    },
  });
  const psi = new Gauge({
    name: 'shoal_serving_drift_psi',
    help: "PSI of an active deployment's cohort against its reference, by distribution (input or class)",
    labelNames: ['deployment', 'distribution'] as const,
    // Registered after the gauge whose collect() sets it, so a scrape never shows the previous scrape's values.
    registers: [],
  });
  new Gauge({
    name: 'shoal_serving_drift_flagged_clients',
    help: 'Clients of an active deployment whose drift is over its threshold',
    labelNames: ['deployment'] as const,
    registers: [registry],
    collect() {
      this.reset();
      psi.reset();
      for (const deployment of store.serving.active()) {
        const report = driftReport(deployment.reference, store.serving.windows(deployment.id), deployment.driftThreshold);
        this.set({ deployment: deployment.id }, report.cohort.flaggedClients);
        if (report.cohort.inputPsi !== undefined) psi.set({ deployment: deployment.id, distribution: 'input' }, report.cohort.inputPsi);
        if (report.cohort.classPsi !== undefined) psi.set({ deployment: deployment.id, distribution: 'class' }, report.cohort.classPsi);
      }
    },
  });
  registry.registerMetric(psi);
}
