/** The fields of the job form: where each value goes in the CreateJobRequest, its label, default and help. */
import type { FieldSpec } from './form-field.js';

export interface JobFieldGroup {
  legend: string;
  fields: FieldSpec[];
}

/** Flower's names, said in words. */
const STRATEGY_LABELS: Record<string, string> = {
  fedavg: 'FedAvg (federated averaging)',
  fedavgm: 'FedAvgM (server momentum)',
  fedprox: 'FedProx (proximal term)',
  fedadam: 'FedAdam (adaptive server optimiser)',
  fedyogi: 'FedYogi (adaptive server optimiser)',
  fedadagrad: 'FedAdagrad (adaptive server optimiser)',
  fedmedian: 'FedMedian (coordinate-wise median, robust)',
  fedtrimmedavg: 'FedTrimmedAvg (trimmed mean, robust)',
  krum: 'Krum (robust)',
  multikrum: 'Multi-Krum (robust)',
};

export function trainingFieldGroups(codecs: readonly { id: string; lossless: boolean }[], strategies: readonly string[]): JobFieldGroup[] {
  return [
    {
      legend: 'Strategy',
      fields: [
        { pointer: '/strategy/name', label: 'Strategy', kind: 'select', initial: strategies[0] ?? 'fedavg', options: strategies.map((name) => [name, STRATEGY_LABELS[name] ?? name]) },
        { pointer: '/strategy/serverLearningRate', label: 'Server learning rate', kind: 'number', optional: true, placeholder: 'strategy default', help: 'Scales the aggregated update applied to the global model (default 1; 0.01 for the adaptive optimisers).' },
        { pointer: '/strategy/serverMomentum', label: 'Server momentum', kind: 'number', optional: true, placeholder: '0.9', when: { pointer: '/strategy/name', values: ['fedavgm'] } },
        { pointer: '/strategy/proximalMu', label: 'Proximal term μ', kind: 'number', optional: true, placeholder: '0.01', help: 'Clients add μ/2·‖w − w_global‖² to their loss.', when: { pointer: '/strategy/name', values: ['fedprox'] } },
        { pointer: '/strategy/trimFraction', label: 'Trimmed fraction β', kind: 'number', optional: true, placeholder: '0.2', help: 'Cut from each end of every coordinate.', when: { pointer: '/strategy/name', values: ['fedtrimmedavg'] } },
        { pointer: '/strategy/byzantineClients', label: 'Attackers to tolerate (f)', kind: 'integer', optional: true, placeholder: 'about 20% of a round', help: 'Krum needs at least 2f + 3 clients per round.', when: { pointer: '/strategy/name', values: ['krum', 'multikrum'] } },
        { pointer: '/strategy/normBound/clipNorm', label: 'Norm bound', kind: 'number', optional: true, placeholder: 'none', help: 'Clip every update to this L2 norm before it is combined.' },
        { pointer: '/maxExamplesPerClient', label: 'Most examples per update', kind: 'integer', optional: true, placeholder: '10,000', help: 'What one client may weigh, whatever it reports (also capped by what it declared when it connected).' },
      ],
    },
    {
      legend: 'Rounds and clients',
      fields: [
        { pointer: '/rounds', label: 'Rounds', kind: 'integer', initial: '10' },
        { pointer: '/fractionFit', label: 'Fraction of clients per round', kind: 'number', initial: '1', help: 'Share of the available clients sampled each round.' },
        { pointer: '/minFitClients', label: 'Minimum clients per round', kind: 'integer', initial: '2', help: 'Also the quorum: fewer updates by the deadline fail the round.' },
        { pointer: '/minAvailableClients', label: 'Clients to wait for', kind: 'integer', placeholder: 'same as the minimum', help: 'A round starts once this many idle clients are connected; at least the minimum per round.' },
        { pointer: '/fractionEvaluate', label: 'Fraction for federated evaluation', kind: 'number', initial: '0', help: '0 turns federated evaluation off.' },
        { pointer: '/roundDeadlineMs', label: 'Round deadline', kind: 'number', initial: '120', scale: 1000, unit: 's' },
      ],
    },
    {
      legend: 'Local training',
      fields: [
        { pointer: '/localEpochs', label: 'Local epochs', kind: 'integer', initial: '1' },
        { pointer: '/batchSize', label: 'Batch size', kind: 'integer', initial: '32' },
        { pointer: '/learningRate', label: 'Learning rate', kind: 'number', initial: '0.05', help: 'Client SGD learning rate.' },
      ],
    },
    {
      legend: 'Compression',
      fields: [
        {
          pointer: '/uploadCodec/id',
          label: 'Upload codec',
          kind: 'select',
          initial: codecs.some((codec) => codec.id === 'int8') ? 'int8' : codecs[0]?.id,
          options: codecs.map((codec) => [codec.id, `${codec.id}${codec.lossless ? ' (lossless)' : ''}`]),
          help: 'How clients encode their updates; the codecs this coordinator has registered.',
        },
      ],
    },
  ];
}

/** Differential privacy fields, shown only when the coordinator's schema has `privacy` (issue #4). */
export function privacyFields(modes: readonly string[]): FieldSpec[] {
  return [
    { pointer: '/privacy/mode', label: 'Noise added by', kind: 'select', initial: modes[0], options: modes.map((mode) => [mode, mode === 'central' ? 'the coordinator (central DP)' : mode === 'client' ? 'each client (local DP)' : mode]) },
    { pointer: '/privacy/noiseMultiplier', label: 'Noise multiplier', kind: 'number', initial: '1' },
    { pointer: '/privacy/clipping/clipNorm', label: 'Clip norm', kind: 'number', initial: '1' },
    { pointer: '/privacy/samplingRate', label: 'Sampling rate', kind: 'number', initial: '0.1' },
    { pointer: '/privacy/accountant/delta', label: 'δ (delta)', kind: 'number', initial: '0.00001' },
    { pointer: '/privacy/accountant/populationSize', label: 'Population size', kind: 'integer', initial: '100' },
    { pointer: '/privacy/accountant/epsilonBudget', label: 'ε budget', kind: 'number', optional: true, placeholder: 'no limit' },
  ];
}
