/**
 * The data rules of the `transcript` kind (protocols/v1/conformance/README.md): `${…}` placeholders, computed values
 * (`$sign`, `$publicKey`, `$repeat`) and the matchers an expectation may use. Pure: no sockets, no HTTP.
 */
import nacl from 'tweetnacl';
import { base64, fromHex } from './vector-set.js';

export type Json = null | boolean | number | string | Json[] | { [member: string]: Json };
export type Variables = Map<string, Json>;

/** The seeds of ../signatures/keys.json by key name: `$sign` and `$publicKey` name them. */
export type KeySeeds = ReadonlyMap<string, string>;

const WHOLE = /^\$\{([^}]+)\}$/;
const EMBEDDED = /\$\{([^}]+)\}/g;

/** `name` or `name.member.0.member`: a bound variable, then members and array indices. */
function lookup(variables: Variables, path: string): Json {
  const [name, ...members] = path.split('.');
  if (!variables.has(name!)) throw new Error(`\${${path}}: no variable '${name}' is bound (bound: ${[...variables.keys()].join(', ')})`);
  let value: Json | undefined = variables.get(name!);
  for (const member of members) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, Json>)[member] : undefined;
    if (value === undefined) throw new Error(`\${${path}}: '${member}' is not there`);
  }
  return value!;
}

const asText = (value: Json, path: string): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`\${${path}} is not a string or number and cannot be part of a longer string`);
};

function keyPair(seeds: KeySeeds, name: string): nacl.SignKeyPair {
  const seed = seeds.get(name);
  if (seed === undefined) throw new Error(`no key '${name}' in signatures/keys.json (there are ${[...seeds.keys()].join(', ')})`);
  return nacl.sign.keyPair.fromSeed(fromHex(seed));
}

/** A computed value: `{ "$sign": { key, lines } }`, `{ "$publicKey": key }` or `{ "$repeat": { text, times } }`. */
function compute(operator: string, argument: Json, seeds: KeySeeds): Json {
  if (operator === '$publicKey') return base64(keyPair(seeds, String(argument)).publicKey);
  const { key, lines, text, times } = argument as { key?: string; lines?: string[]; text?: string; times?: number };
  if (operator === '$sign') return base64(nacl.sign.detached(new TextEncoder().encode(lines!.join('\n')), keyPair(seeds, key!).secretKey));
  if (operator === '$repeat') return text!.repeat(times!);
  throw new Error(`unknown computed value ${operator}`);
}

const isOperator = (value: Json): value is Record<string, Json> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && Object.keys(value)[0]!.startsWith('$');

/** Replaces placeholders and computed values, innermost first; a string that is one placeholder keeps the value's type. */
export function resolve(template: Json, variables: Variables, seeds: KeySeeds): Json {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template);
    if (whole !== null) return lookup(variables, whole[1]!);
    return template.replace(EMBEDDED, (_, path: string) => asText(lookup(variables, path), path));
  }
  if (template === null || typeof template !== 'object') return template;
  if (Array.isArray(template)) return template.map((item) => resolve(item, variables, seeds));
  const resolved = Object.fromEntries(Object.entries(template).map(([member, value]) => [member, resolve(value, variables, seeds)]));
  const [operator] = Object.keys(resolved);
  return isOperator(resolved) && ['$sign', '$publicKey', '$repeat'].includes(operator!) ? compute(operator!, resolved[operator!]!, seeds) : resolved;
}

const typeOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/**
 * Where `actual` differs from `expected`, as a list of `path: reason` (empty when it matches). Objects match as a
 * subset (unlisted members are ignored), arrays element by element with the same length, scalars by equality, and
 * a one-member object whose member starts with `$` is a matcher.
 */
export function mismatches(expected: Json, actual: unknown, path = ''): string[] {
  const at = path === '' ? '/' : path;
  if (isOperator(expected)) return matcher(expected, actual, at);
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${at}: expected an array, got ${JSON.stringify(actual)}`];
    if (actual.length !== expected.length) return [`${at}: expected ${expected.length} items, got ${actual.length}: ${JSON.stringify(actual)}`];
    return expected.flatMap((item, index) => mismatches(item, actual[index], `${path}/${index}`));
  }
  if (expected !== null && typeof expected === 'object') {
    if (typeOf(actual) !== 'object') return [`${at}: expected an object, got ${JSON.stringify(actual)}`];
    const object = actual as Record<string, unknown>;
    return Object.entries(expected as Record<string, Json>).flatMap(([member, value]) => {
      const absent = isOperator(value) && Object.keys(value)[0] === '$absent';
      if (!(member in object) && !absent) return [`${path}/${member}: missing`];
      return mismatches(value, object[member], `${path}/${member}`);
    });
  }
  return actual === expected ? [] : [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

/** True when each expected item matches a different actual item (backtracking: the lists are short). */
function assignable(expected: readonly Json[], actual: readonly unknown[], used: ReadonlySet<number> = new Set()): boolean {
  if (expected.length === 0) return true;
  const [first, ...rest] = expected;
  return actual.some((item, at) => !used.has(at) && mismatches(first!, item).length === 0 && assignable(rest, actual, new Set([...used, at])));
}

function matcher(expected: Record<string, Json>, actual: unknown, at: string): string[] {
  const [operator, argument] = Object.entries(expected)[0]!;
  const fail = (what: string) => [`${at}: expected ${what}, got ${JSON.stringify(actual)}`];
  switch (operator) {
    case '$type': {
      const type = Number.isInteger(actual) && argument === 'integer' ? 'integer' : typeOf(actual);
      return type === argument ? [] : fail(`a value of type ${String(argument)}`);
    }
    case '$regex':
      return typeof actual === 'string' && new RegExp(String(argument), 'u').test(actual) ? [] : fail(`a string matching /${String(argument)}/`);
    case '$absent':
      return actual === undefined ? [] : fail('no such member');
    case '$unordered':
      return Array.isArray(actual) && actual.length === (argument as Json[]).length && assignable(argument as Json[], actual) ? [] : fail(`the items ${JSON.stringify(argument)} in any order`);
    case '$sum': {
      const total = (argument as number[]).reduce((sum, term) => sum + term, 0);
      return actual === total ? [] : fail(`${total} (the sum of ${JSON.stringify(argument)})`);
    }
    default:
      throw new Error(`${at}: unknown matcher ${operator}`);
  }
}
