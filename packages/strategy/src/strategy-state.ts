/**
 * Helpers for StrategyState as wrappers nest it: each layer owns the keys under its prefix ("optimiser.",
 * "normBound.", "privacy.") and hands the rest to the strategy it wraps, so one flat state holds the whole stack.
 */
import { ShoalError } from '@shoal/protocol';
import type { StrategyState } from './strategy.js';

export function emptyState(): StrategyState {
  return { scalars: {}, tensors: {} };
}

export function isEmptyState(state: StrategyState): boolean {
  return Object.keys(state.scalars).length === 0 && Object.keys(state.tensors).length === 0;
}

/** Both layers' keys in one state, or undefined when neither has any. */
export function mergeStates(own: StrategyState, inner: StrategyState | undefined): StrategyState | undefined {
  const merged = { scalars: { ...inner?.scalars, ...own.scalars }, tensors: { ...inner?.tensors, ...own.tensors } };
  return isEmptyState(merged) ? undefined : merged;
}

/** Splits off the keys that start with `prefix`. */
export function takeOwnState(state: StrategyState, prefix: string): { own: StrategyState; rest: StrategyState } {
  const own = emptyState();
  const rest = emptyState();
  for (const [key, value] of Object.entries(state.scalars)) (key.startsWith(prefix) ? own : rest).scalars[key] = value;
  for (const [key, value] of Object.entries(state.tensors)) (key.startsWith(prefix) ? own : rest).tensors[key] = value;
  return { own, rest };
}

/** Passes what is left to the inner strategy; state it cannot take is refused rather than silently dropped. */
export function restoreInner(inner: { restoreState?(state: StrategyState): void }, rest: StrategyState): void {
  if (inner.restoreState !== undefined) inner.restoreState(rest);
  else if (!isEmptyState(rest)) throw new ShoalError('VALIDATION_FAILED', `state keys ${describeKeys(rest)} belong to no part of this strategy`);
}

export function describeKeys(state: StrategyState): string {
  return [...Object.keys(state.scalars), ...Object.keys(state.tensors)].join(', ');
}

/** A finite scalar from the state, or a VALIDATION_FAILED ShoalError naming the key. */
export function readScalar(state: StrategyState, key: string, check: (value: number) => boolean = Number.isFinite): number {
  const value = state.scalars[key];
  if (value === undefined || !check(value)) throw new ShoalError('VALIDATION_FAILED', `state scalar '${key}' is ${value === undefined ? 'missing' : `out of range (${value})`}`);
  return value;
}

/** Copies of the state's tensors under `key` (the caller may reuse its arrays), or undefined when absent. */
export function readTensors(state: StrategyState, key: string): Float32Array[] | undefined {
  const tensors = state.tensors[key];
  if (tensors === undefined) return undefined;
  if (!Array.isArray(tensors) || !tensors.every((tensor) => tensor instanceof Float32Array)) throw new ShoalError('VALIDATION_FAILED', `state tensors '${key}' are not Float32Arrays`);
  return tensors.map((tensor) => Float32Array.from(tensor));
}
