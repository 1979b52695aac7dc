/**
 * The server optimiser a strategy applies to the round's aggregate update Δ̄ (Reddi et al. 2021), holding its state
 * between rounds. A step is committed only when the new weights and state are finite, so an overflowing round leaves
 * both the model and the moments as they were.
 */
import { ShoalError } from '@shoal/protocol';
import { adagradStep } from './fed-adagrad.js';
import { adamStep, type AdamOptions } from './fed-adam.js';
import { yogiStep } from './fed-yogi.js';
import type { AdaptiveMoments, AdaptiveOptions } from './adaptive-moments.js';
import { momentumStep, type MomentumOptions, type MomentumState } from './server-momentum.js';
import { readTensors, takeOwnState } from './strategy-state.js';
import type { StrategyState } from './strategy.js';
import { allFinite, checkShapes } from './tensor-measures.js';
import { applyDelta } from './weighted-mean.js';

export type ServerOptimiserOptions =
  | { kind: 'sgd'; learningRate: number }
  | ({ kind: 'momentum' } & MomentumOptions)
  | ({ kind: 'adam' } & AdamOptions)
  | ({ kind: 'yogi' } & AdamOptions)
  | ({ kind: 'adagrad' } & AdaptiveOptions);

const PREFIX = 'optimiser.';

export class ServerOptimiser {
  private momentum: MomentumState | undefined;
  private moments: AdaptiveMoments | undefined;

  constructor(readonly options: ServerOptimiserOptions) {
    validate(options);
  }

  /** w + step(Δ̄) as new arrays, or undefined (nothing committed) when the result would not be finite. */
  step(global: readonly Float32Array[], update: readonly Float32Array[]): Float32Array[] | undefined {
    const options = this.options;
    switch (options.kind) {
      case 'sgd': {
        checkShapes(global, update);
        const weights = applyDelta(global, update, options.learningRate);
        return allFinite(weights) ? weights : undefined;
      }
      case 'momentum': {
        const { weights, state } = momentumStep(global, update, this.momentum, options);
        if (!allFinite(weights) || !allFinite(state.velocity)) return undefined;
        this.momentum = state;
        return weights;
      }
      default: {
        const stepped = options.kind === 'adam' ? adamStep(global, update, this.moments, options) : options.kind === 'yogi' ? yogiStep(global, update, this.moments, options) : adagradStep(global, update, this.moments, options);
        if (!allFinite(stepped.weights) || !allFinite(stepped.moments.first) || !allFinite(stepped.moments.second)) return undefined;
        this.moments = stepped.moments;
        return stepped.weights;
      }
    }
  }

  /** The moments after the last committed step (not copied: steps never modify them), under "optimiser." keys. */
  exportState(): StrategyState {
    if (this.momentum !== undefined) return { scalars: {}, tensors: { [`${PREFIX}velocity`]: this.momentum.velocity } };
    if (this.moments !== undefined) return { scalars: {}, tensors: { [`${PREFIX}first`]: this.moments.first, [`${PREFIX}second`]: this.moments.second } };
    return { scalars: {}, tensors: {} };
  }

  /** Takes the "optimiser." keys of `state` and returns the rest. */
  restoreState(state: StrategyState): StrategyState {
    const { own, rest } = takeOwnState(state, PREFIX);
    const kind = this.options.kind;
    const expected = (kind === 'sgd' ? [] : kind === 'momentum' ? ['velocity'] : ['first', 'second']).map((name) => PREFIX + name);
    const present = Object.keys(own.tensors);
    const unexpected = [...Object.keys(own.scalars), ...present.filter((key) => !expected.includes(key))];
    if (unexpected.length > 0) throw new ShoalError('VALIDATION_FAILED', `a '${kind}' server optimiser has no state ${unexpected.join(', ')}`);
    if (present.length === 0) return rest;
    if (present.length !== expected.length) throw new ShoalError('VALIDATION_FAILED', `a '${kind}' server optimiser needs ${expected.join(' and ')}`);
    if (kind === 'momentum') {
      this.momentum = { velocity: readTensors(own, `${PREFIX}velocity`)! };
    } else {
      const moments = { first: readTensors(own, `${PREFIX}first`)!, second: readTensors(own, `${PREFIX}second`)! };
      checkShapes(moments.first, moments.second);
      if (!moments.second.every((tensor) => tensor.every((value) => value >= 0))) throw new ShoalError('VALIDATION_FAILED', `${PREFIX}second has negative values`);
      this.moments = moments;
    }
    return rest;
  }
}

function validate(options: ServerOptimiserOptions): void {
  const within = (name: string, value: number, ok: boolean) => {
    if (!ok) throw new ShoalError('VALIDATION_FAILED', `${options.kind} server optimiser: ${name} out of range (${value})`);
  };
  within('learningRate', options.learningRate, options.learningRate > 0 && Number.isFinite(options.learningRate));
  if (options.kind === 'momentum') within('momentum', options.momentum, options.momentum >= 0 && options.momentum < 1);
  if (options.kind === 'adam' || options.kind === 'yogi' || options.kind === 'adagrad') {
    within('beta1', options.beta1, options.beta1 >= 0 && options.beta1 < 1);
    within('tau', options.tau, options.tau > 0 && Number.isFinite(options.tau));
  }
  if (options.kind === 'adam' || options.kind === 'yogi') within('beta2', options.beta2, options.beta2 >= 0 && options.beta2 < 1);
}
