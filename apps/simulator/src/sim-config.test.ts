import { describe, expect, it } from 'vitest';
import { ShoalError } from '@shoal/protocol';
import { DEFAULT_CONFIG, resolveConfig } from './sim-config.js';

function refusal(raw: unknown): ShoalError {
  try {
    resolveConfig(raw);
  } catch (error) {
    if (error instanceof ShoalError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('resolveConfig', () => {
  it('fills in the defaults', () => {
    const config = resolveConfig({ clients: 1000, perRound: 100, faults: { dropout: 0.1 } });

    expect(config).toMatchObject({ clients: 1000, perRound: 100, rounds: DEFAULT_CONFIG.rounds, partition: 'iid', transport: 'memory' });
    expect(config.faults).toEqual({ dropout: 0.1, crashMidTraining: 0, crashMidUpload: 0, stragglers: undefined, malicious: undefined });
  });

  it.each([
    [{ clients: 0 }, 'clients', /clients must be an integer in \[1, 100000\], got 0/],
    [{ clients: 10, perRound: 11 }, 'perRound', /perRound must be an integer in \[1, 10\]/],
    [{ partition: 'zipf' }, 'partition', /partition must be one of iid, pathological, dirichlet, quantity-skew, got "zipf"/],
    [{ alpha: 0 }, 'alpha', /alpha must be a number in \(0, /],
    [{ clietns: 5 }, 'clietns', /clietns is not a simulation setting/],
    [{ faults: { dropout: 2 } }, 'faults.dropout', /faults.dropout must be a number in \[0, 1\], got 2/],
    [{ faults: { stragglers: { sigma: 1 } } }, 'faults.stragglers.medianMs', /faults.stragglers.medianMs must be a number in \(0,/],
    [{ faults: { malicious: { fraction: 0.1, attack: 'poison' } } }, 'faults.malicious.attack', /sign-flip, scale, random/],
    [{ dataset: 'dir' }, 'dataDir', /dataDir is required when dataset is 'dir'/],
    [{ learningRate: 'fast' }, 'learningRate', /got "fast"/],
  ])('refuses %j, naming %s', (raw, field, message) => {
    const error = refusal(raw);

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toEqual({ field });
    expect(error.message).toMatch(message);
  });
});
