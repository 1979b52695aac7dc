/** Runtime validation of inbound payloads against the protocols/v1 JSON Schemas: `unknown` in, typed value or ShoalError out. */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ShoalError } from './shoal-error.js';
import { loadSchemaDocuments } from './schema-files.js';
import type { MessageName, MessageOf } from './message-types.js';

const documents = loadSchemaDocuments();
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
for (const document of documents.values()) ajv.addSchema(document);
const validators = new Map<string, ValidateFunction>();

function validatorFor(name: MessageName): ValidateFunction {
  let validate = validators.get(name);
  if (validate === undefined) {
    const document = documents.get(name);
    if (document === undefined) throw new ShoalError('INTERNAL', `no schema named '${name}' in protocols/v1/schemas`);
    validate = ajv.getSchema(document.$id);
    if (validate === undefined) throw new ShoalError('INTERNAL', `schema '${name}' did not compile`);
    validators.set(name, validate);
  }
  return validate;
}

export interface FieldProblem {
  field: string;
  message: string;
}

function describe(errors: readonly ErrorObject[]): FieldProblem[] {
  return errors.slice(0, 10).map((error) => {
    const missing = error.keyword === 'required' ? `/${String(error.params['missingProperty'])}` : '';
    const extra = error.keyword === 'additionalProperties' ? `/${String(error.params['additionalProperty'])}` : '';
    const field = `${error.instancePath}${missing}${extra}` || '/';
    const message = extra !== '' ? 'is not an allowed property' : missing !== '' ? 'is required' : (error.message ?? 'is invalid');
    return { field, message };
  });
}

/** Parses an inbound value as the named message; throws VALIDATION_FAILED naming the fields otherwise. */
export function parseMessage<N extends MessageName>(name: N, value: unknown): MessageOf<N> {
  const validate = validatorFor(name);
  if (validate(value)) return value as MessageOf<N>;
  const problems = describe(validate.errors ?? []);
  const summary = problems.map((problem) => `${problem.field} ${problem.message}`).join('; ');
  throw new ShoalError('VALIDATION_FAILED', `invalid ${name}: ${summary}`, { details: { problems } });
}

export function isValidMessage(name: MessageName, value: unknown): boolean {
  return validatorFor(name)(value) === true;
}

export function messageNames(): MessageName[] {
  return [...documents.keys()].filter((name): name is MessageName => name !== 'common');
}
