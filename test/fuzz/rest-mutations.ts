/** Hostile variations of REST inputs for the fuzzer: path segments, query strings and JSON bodies, each drawn from a seeded PRNG. */
import type { Random } from '@shoal/codec/testing';

/** Path segments and ids that are malformed, unusual or tricky to route: bad escapes, unicode, dot segments, long ones. */
export function hostileSegment(random: Random): string {
  return random.pick([
    () => '%ff',
    () => '%',
    () => '%zz',
    () => '%c3%28',
    () => 'job-%E0%A4%A',
    () => '%E2%98%83',
    () => '%F0%9F%90%9F',
    () => '%00',
    () => '%2e%2e',
    () => '..',
    () => '.',
    () => 'a%2Fb',
    () => '%20',
    () => 'x'.repeat(1 + random.int(6000)),
    () => '-1',
    () => '1e3',
    () => '0x10',
    () => '99999999999999999999',
    () => 'NaN',
    () => 'null',
    () => '__proto__',
    () => 'constructor',
    () => 'job-missing',
    () => "'; DROP TABLE jobs; --".replace(/[ ';]/g, (c) => encodeURIComponent(c)),
    () => String(random.int(3)),
  ])();
}

/** One query string for a route that reads `names` (or junk for one that reads none). */
export function hostileQuery(random: Random, names: readonly string[]): string {
  const name = names.length > 0 && random.chance(0.8) ? random.pick(names) : random.pick(['x', 'limit[]', '__proto__[x]', '%ff', 'q']);
  const value = () =>
    random.pick([
      '1',
      '0',
      '-1',
      '10',
      '1000',
      '5000',
      '1e3',
      'NaN',
      'Infinity',
      '99999999999999999999',
      '%ff',
      '%E2%98%83',
      '',
      'online',
      '-lastSeen',
      'canary',
      'x'.repeat(300),
      'name',
    ]);
  const pairs = [`${name}=${value()}`];
  if (random.chance(0.3)) pairs.push(`${name}=${value()}`);
  if (random.chance(0.2)) pairs.push(`${name}[a]=${value()}`);
  return pairs.join('&');
}

const NASTY_VALUES: readonly (() => unknown)[] = [
  () => null,
  () => true,
  () => 0,
  () => -1,
  () => 1e308,
  () => -0,
  () => 2 ** 53 + 1,
  () => 0.5,
  () => 'NaN',
  () => 'Infinity',
  () => '-Infinity',
  () => '1e999',
  () => '',
  () => 'x'.repeat(70_000),
  () => '\u2603\ud83d\udc1f',
  () => '\ud800',
  () => [],
  () => [1, 'two', null],
  () => ({}),
  () => ({ nested: { deeper: [1, { x: 'y' }] } }),
];

/** A value nested `depth` levels deep in arrays or objects. */
function deep(random: Random, depth: number): unknown {
  let value: unknown = 1;
  const asArray = random.chance(0.5);
  for (let level = 0; level < depth; level++) value = asArray ? [value] : { a: value };
  return value;
}

/** Applies one mutation to a JSON value (a copy): wrong types, extra or missing fields, deep nesting, big or NaN-like numbers. */
export function mutateJson(random: Random, value: unknown): { value: unknown; mutation: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0 || random.chance(0.1)) {
    const kind = random.int(4);
    if (kind === 0) return { value: deep(random, 10 + random.int(1000)), mutation: 'deep nesting' };
    if (kind === 1) return { value: random.pick(NASTY_VALUES)(), mutation: 'body replaced by a nasty value' };
    if (kind === 2) return { value: { ...(typeof value === 'object' && value !== null ? value : {}), unexpected: random.pick(NASTY_VALUES)() }, mutation: 'extra field' };
    return { value: [value], mutation: 'body wrapped in an array' };
  }
  const record = structuredClone(value) as Record<string, unknown>;
  const keys = Object.keys(record);
  const key = random.pick(keys);
  switch (random.int(6)) {
    case 0:
      record[key] = random.pick(NASTY_VALUES)();
      return { value: record, mutation: `${key} replaced by a nasty value` };
    case 1:
      delete record[key];
      return { value: record, mutation: `${key} removed` };
    case 2:
    {
      // defineProperty makes `__proto__` an own field that JSON.stringify writes, as a hostile client would send it.
      const name = random.pick(['extra', '__proto__', 'constructor', 'id', 'role']);
      Object.defineProperty(record, name, { value: random.pick(NASTY_VALUES)(), enumerable: true, configurable: true, writable: true });
      return { value: record, mutation: `extra field ${name}` };
    }
    case 3:
      record[key] = deep(random, 10 + random.int(1000));
      return { value: record, mutation: `${key} deeply nested` };
    case 4: {
      const nested = record[key];
      if (typeof nested === 'object' && nested !== null) {
        const inner = mutateJson(random, nested);
        record[key] = inner.value;
        return { value: record, mutation: `${key}: ${inner.mutation}` };
      }
      record[key] = [nested];
      return { value: record, mutation: `${key} wrapped in an array` };
    }
    default:
      record[key] = typeof record[key] === 'number' ? random.pick([1e308, -1, 0, 2 ** 31, 2 ** 53, 0.1]) : random.pick(['admin', 'viewer', '', 'x'.repeat(600), 'mnist-2nn']);
      return { value: record, mutation: `${key} at a boundary` };
  }
}

/** Bytes that are not JSON, or JSON cut short: what a broken client or an attacker sends as a body. */
export function junkBody(random: Random, json: string): { bytes: Uint8Array; mutation: string } {
  const encoder = new TextEncoder();
  switch (random.int(8)) {
    case 0:
      return { bytes: encoder.encode(json.slice(0, random.int(Math.max(1, json.length)))), mutation: 'truncated JSON' };
    case 1:
      return { bytes: random.bytes(1 + random.int(512)), mutation: 'random bytes' };
    case 2:
      return { bytes: encoder.encode(`\ufeff${json}`), mutation: 'byte-order mark' };
    case 3:
      return { bytes: encoder.encode(`${json}${json}`), mutation: 'two JSON documents' };
    case 4:
      return { bytes: new Uint8Array(0), mutation: 'empty body' };
    case 5:
      return { bytes: encoder.encode(json.replace(/"/g, "'")), mutation: 'single quotes' };
    case 6:
      return { bytes: encoder.encode(`{"a":${'['.repeat(20_000)}`), mutation: 'unclosed deep nesting' };
    default:
      // Deeper than JSON.stringify can write, so it is built as text.
      return { bytes: encoder.encode(`{"name":${'['.repeat(50_000)}1${']'.repeat(50_000)}}`), mutation: 'very deep nesting' };
  }
}
