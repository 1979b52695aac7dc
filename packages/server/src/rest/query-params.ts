/** Typed reads of URL query parameters; a bad value is BAD_REQUEST naming the parameter. */
import type { Request } from 'express';
import { ShoalError } from '@shoal/protocol';

function single(request: Request, name: string): string | undefined {
  const value: unknown = request.query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new ShoalError('BAD_REQUEST', `query parameter ${name} must appear once`);
  return value;
}

export function queryInteger(request: Request, name: string, range: { default: number; min: number; max: number }): number {
  const value = single(request, name);
  if (value === undefined) return range.default;
  if (!/^\d{1,15}$/.test(value) || Number(value) < range.min || Number(value) > range.max) {
    throw new ShoalError('BAD_REQUEST', `query parameter ${name} must be an integer from ${range.min} to ${range.max}, got '${value}'`);
  }
  return Number(value);
}

export function queryString(request: Request, name: string, maxLength: number): string | undefined {
  const value = single(request, name);
  if (value !== undefined && value.length > maxLength) throw new ShoalError('BAD_REQUEST', `query parameter ${name} is longer than ${maxLength} characters`);
  return value;
}

export function queryChoice<T extends string>(request: Request, name: string, choices: readonly T[]): T | undefined {
  const value = single(request, name);
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw new ShoalError('BAD_REQUEST', `query parameter ${name} must be one of ${choices.join(', ')}, got '${value}'`);
  return value as T;
}
