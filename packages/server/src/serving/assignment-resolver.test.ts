import { describe, expect, it } from 'vitest';
import { baselineFor, cohortState, resolveAssignment, type ActiveDeployment } from './assignment-resolver.js';
import { canaryPosition, inCanary, isMember, normalizeCohort } from './cohort.js';

const deployment = (id: string, cohort: string[], createdAt: number, canaryPercent?: number): ActiveDeployment => ({
  id,
  cohort,
  createdAt,
  status: canaryPercent === undefined ? 'serving' : 'canary',
  canary: canaryPercent === undefined ? undefined : { percent: canaryPercent, minReports: 1, observeMs: 0 },
});
const clients = Array.from({ length: 2000 }, (_, i) => `c-${i}`);

describe('cohorts', () => {
  it('a client belongs when it has every label; everyone belongs to []', () => {
    expect(isMember(['eu', 'gpu'], ['gpu'])).toBe(true);
    expect(isMember(['eu'], ['eu', 'gpu'])).toBe(false);
    expect(isMember(undefined, [])).toBe(true);
    expect(normalizeCohort(['b', 'a', 'b'])).toEqual(['a', 'b']);
  });

  it('the canary share is deterministic and close to the percentage', () => {
    expect(canaryPosition('c-1', 'dep-1')).toBe(canaryPosition('c-1', 'dep-1'));
    expect(canaryPosition('c-1', 'dep-1')).not.toBe(canaryPosition('c-1', 'dep-2'));
    const share = clients.filter((id) => inCanary(id, 'dep-x', 25)).length / clients.length;
    expect(share).toBeGreaterThan(0.22);
    expect(share).toBeLessThan(0.28);
  });
});

describe('resolveAssignment', () => {
  it('serves only the members of a cohort', () => {
    const active = [deployment('dep-gpu', ['gpu'], 1)];
    expect(resolveAssignment({ id: 'a', labels: ['gpu', 'eu'] }, active)).toEqual({ deploymentId: 'dep-gpu', canary: false });
    expect(resolveAssignment({ id: 'b', labels: ['eu'] }, active)).toBeUndefined();
  });

  it('prefers the most specific cohort, then the newest', () => {
    const active = [deployment('dep-fleet', [], 5), deployment('dep-gpu', ['gpu'], 1), deployment('dep-eu', ['eu'], 2)];
    expect(resolveAssignment({ id: 'a', labels: ['gpu'] }, active)?.deploymentId).toBe('dep-gpu');
    expect(resolveAssignment({ id: 'a', labels: ['gpu', 'eu'] }, active)?.deploymentId).toBe('dep-eu');
    expect(resolveAssignment({ id: 'a', labels: [] }, active)?.deploymentId).toBe('dep-fleet');
  });

  it('gives a canary to its share of the cohort and the serving deployment to the rest', () => {
    const active = [deployment('dep-old', ['gpu'], 1), deployment('dep-new', ['gpu'], 2, 30)];
    const assigned = clients.map((id) => resolveAssignment({ id, labels: ['gpu'] }, active)!);
    const canary = assigned.filter((a) => a.deploymentId === 'dep-new');
    expect(canary.every((a) => a.canary)).toBe(true);
    expect(assigned.filter((a) => a.deploymentId === 'dep-old').every((a) => !a.canary)).toBe(true);
    expect(canary.length / clients.length).toBeCloseTo(0.3, 1);
    expect(clients.filter((id) => inCanary(id, 'dep-new', 30)).length).toBe(canary.length);
  });

  it('lets the non-canary clients of a cohort without its own serving deployment inherit the fleet one', () => {
    const active = [deployment('dep-fleet', [], 1), deployment('dep-canary', ['gpu'], 2, 50)];
    const ids = new Set(clients.slice(0, 100).map((id) => resolveAssignment({ id, labels: ['gpu'] }, active)!.deploymentId));
    expect(ids).toEqual(new Set(['dep-fleet', 'dep-canary']));
  });
});

describe('baselineFor and cohortState', () => {
  it('is the cohort\'s own serving deployment, else the most specific containing cohort\'s', () => {
    const active = [deployment('dep-fleet', [], 3), deployment('dep-gpu', ['gpu'], 1), deployment('dep-canary', ['gpu'], 4, 10)];
    expect(baselineFor(['gpu'], active)?.id).toBe('dep-gpu');
    expect(baselineFor(['eu', 'gpu'], active)?.id).toBe('dep-gpu');
    expect(baselineFor(['eu'], active)?.id).toBe('dep-fleet');
    expect(baselineFor(['gpu'], active, 'dep-gpu')?.id).toBe('dep-fleet');
    expect(cohortState(['gpu'], active)).toMatchObject({ serving: { id: 'dep-gpu' }, canary: { id: 'dep-canary' } });
  });
});
