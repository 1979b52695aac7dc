/**
 * Field checks read from a JSON Schema — the coordinator's own create-job-request, fetched from
 * GET /api/v1/schemas/create-job-request — so the form refuses as you type exactly what the server would refuse.
 * Covers the keywords the form's fields use: type, enum, minimum/maximum (and exclusive), minLength/maxLength, pattern.
 */
export interface SchemaNode {
  type?: string | string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  description?: string;
}

/** The schema node of a JSON pointer such as `/privacy/clipping/clipNorm`, following `properties` only. */
export function nodeAt(schema: SchemaNode, pointer: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const key of pointer.split('/').slice(1)) node = node?.properties?.[key];
  return node;
}

export function isRequired(schema: SchemaNode, pointer: string): boolean {
  const keys = pointer.split('/').slice(1);
  const last = keys.pop();
  const parent = nodeAt(schema, keys.length === 0 ? '' : `/${keys.join('/')}`);
  return last !== undefined && (parent?.required ?? []).includes(last);
}

const typesOf = (node: SchemaNode): string[] => (node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type]);

/**
 * Why `value` does not satisfy `node`, or undefined when it does. `show` formats a bound for the person typing
 * (a field edited in seconds shows a millisecond bound in seconds).
 */
export function checkValue(node: SchemaNode, value: unknown, show: (bound: number) => string = String): string | undefined {
  const types = typesOf(node);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'must be a number';
    if (types.includes('integer') && !types.includes('number') && !Number.isInteger(value)) return 'must be a whole number';
    if (node.minimum !== undefined && value < node.minimum) return `must be at least ${show(node.minimum)}`;
    if (node.exclusiveMinimum !== undefined && value <= node.exclusiveMinimum) return `must be greater than ${show(node.exclusiveMinimum)}`;
    if (node.maximum !== undefined && value > node.maximum) return `must be at most ${show(node.maximum)}`;
    if (node.exclusiveMaximum !== undefined && value >= node.exclusiveMaximum) return `must be less than ${show(node.exclusiveMaximum)}`;
  } else if (typeof value === 'string') {
    if (types.length > 0 && !types.includes('string')) return 'must be a number';
    const length = [...value].length;
    if (node.minLength !== undefined && length < node.minLength) return node.minLength === 1 ? 'must not be empty' : `must have at least ${node.minLength} characters`;
    if (node.maxLength !== undefined && length > node.maxLength) return `must have at most ${node.maxLength} characters`;
    if (node.pattern !== undefined && !new RegExp(node.pattern, 'u').test(value)) return 'has characters that are not allowed';
  }
  if (node.enum !== undefined && !node.enum.includes(value)) return `must be one of ${node.enum.map(String).join(', ')}`;
  return undefined;
}

/** A short description of the allowed range, for a field's help text ("1 to 100000"). */
export function describeRange(node: SchemaNode, show: (bound: number) => string = String): string | undefined {
  const low = node.minimum !== undefined ? show(node.minimum) : node.exclusiveMinimum !== undefined ? `more than ${show(node.exclusiveMinimum)}` : undefined;
  const high = node.maximum !== undefined ? show(node.maximum) : node.exclusiveMaximum !== undefined ? `less than ${show(node.exclusiveMaximum)}` : undefined;
  if (low !== undefined && high !== undefined) return `${low} to ${high}`;
  if (low !== undefined) return node.minimum !== undefined ? `at least ${low}` : low;
  if (high !== undefined) return node.maximum !== undefined ? `at most ${high}` : high;
  return undefined;
}

/** Sets `value` at a JSON pointer, creating the objects on the way. */
export function setAt(target: Record<string, unknown>, pointer: string, value: unknown): void {
  const keys = pointer.split('/').slice(1);
  const last = keys.pop();
  if (last === undefined) return;
  let node = target;
  for (const key of keys) {
    const next = node[key];
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  }
  node[last] = value;
}
