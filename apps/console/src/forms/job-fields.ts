/** The fields of the job form: where each value goes in the CreateJobRequest, its label, default and help. */
import type { FieldSpec } from './form-field.js';

export interface JobFieldGroup {
  legend: string;
  fields: FieldSpec[];
}

export function trainingFieldGroups(codecs: readonly { id: string; lossless: boolean }[], strategies: readonly string[]): JobFieldGroup[] {
  return [
    {
      legend: 'Strategy',
      fields: [
        { pointer: '/strategy/name', label: 'Strategy', kind: 'select', initial: strategies[0] ?? 'fedavg', options: strategies.map((name) => [name, name === 'fedavg' ? 'FedAvg (federated averaging)' : name]) },
        { pointer: '/strategy/serverLearningRate', label: 'Server learning rate', kind: 'number', initial: '1', help: 'Scales the averaged update applied to the global model.' },
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
