/** Prometheus metrics of one coordinator, served at GET /metrics. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class CoordinatorMetrics {
  readonly registry = new Registry();
  readonly clientsConnected = new Gauge({ name: 'shoal_clients_connected', help: 'Clients connected to /fleet of this process (in a cluster: of this node)', registers: [this.registry] });
  readonly jobsRunning = new Gauge({ name: 'shoal_jobs_running', help: 'Jobs in the running state', registers: [this.registry] });
  readonly rounds = new Counter({
    name: 'shoal_rounds_total',
    help: 'Training rounds closed, by status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly updates = new Counter({
    name: 'shoal_updates_total',
    help: 'Client updates received, by outcome (accepted or an error code)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly outlierUpdates = new Counter({
    name: 'shoal_outlier_updates_total',
    help: 'Accepted updates flagged as outliers (robust z-score of their norm or distance to the aggregate above the job threshold)',
    registers: [this.registry],
  });
  readonly clusterUploads = new Counter({
    name: 'shoal_cluster_uploads_total',
    help: "Uploads for jobs another node leads: 'summed' into this node's partial sum (hierarchical), or 'forwarded' whole to the leader",
    labelNames: ['path'] as const,
    registers: [this.registry],
  });
  readonly partialSums = new Counter({
    name: 'shoal_partial_sums_merged_total',
    help: 'Partial sums of other nodes merged into rounds this node leads',
    registers: [this.registry],
  });
  readonly bytesUp = new Counter({ name: 'shoal_update_bytes_total', help: 'Bytes of client updates received', registers: [this.registry] });
  readonly bytesDown = new Counter({ name: 'shoal_model_bytes_sent_total', help: 'Bytes of model weights served to clients', registers: [this.registry] });
  readonly rejectedMessages = new Counter({
    name: 'shoal_messages_rejected_total',
    help: 'Inbound socket messages and REST requests refused, by error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly roundDuration = new Histogram({
    name: 'shoal_round_duration_seconds',
    help: 'Wall time of training rounds',
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });

  constructor(options: { collectDefaults?: boolean } = {}) {
    if (options.collectDefaults ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'shoal_' });
  }
}
