/** One labelled form control with its help text and its error, checked against its schema node as you type. */
import { h, uniqueId } from '../dom.js';
import { checkValue, describeRange, isRequired, nodeAt, type SchemaNode } from './schema-rules.js';

export interface FieldSpec {
  /** Where the value goes in the request, and where the server's problems about it point. */
  pointer: string;
  label: string;
  kind: 'integer' | 'number' | 'text' | 'select';
  initial?: string;
  /** Options of a select: value and label. */
  options?: readonly (readonly [string, string])[];
  /** The form shows `value`, the request carries `value × scale` (seconds in the form, milliseconds on the wire). */
  scale?: number;
  unit?: string;
  help?: string;
  placeholder?: string;
  /** Empty is allowed even when the schema requires the value: the server then applies its default. */
  optional?: boolean;
  /** Shown and sent only while the field at `pointer` has one of `values` (settings of one strategy). */
  when?: { pointer: string; values: readonly string[] };
}

export type FieldValue = { ok: true; value: string | number | undefined } | { ok: false; message: string };

export class FormField {
  readonly element: HTMLElement;
  readonly control: HTMLInputElement | HTMLSelectElement;
  private readonly error: HTMLElement;
  private readonly node: SchemaNode;
  private readonly required: boolean;

  constructor(
    readonly spec: FieldSpec,
    schema: SchemaNode,
  ) {
    this.node = nodeAt(schema, spec.pointer) ?? {};
    this.required = isRequired(schema, spec.pointer) && spec.optional !== true;
    const id = uniqueId(`field${spec.pointer.replace(/\//g, '-')}`);
    const scale = spec.scale ?? 1;
    const show = (bound: number) => `${bound / scale}${spec.unit === undefined ? '' : ` ${spec.unit}`}`;
    const range = spec.kind === 'integer' || spec.kind === 'number' ? describeRange(this.node, show) : undefined;
    const helpText = [spec.help, range === undefined ? undefined : `Allowed: ${range}.`].filter((part) => part !== undefined).join(' ');
    const helpId = `${id}-help`;
    const errorId = `${id}-error`;
    this.error = h('p', { id: errorId, class: 'field-error', 'data-error-for': spec.pointer });
    this.control =
      spec.kind === 'select'
        ? h('select', { id, name: spec.pointer, 'data-field': spec.pointer, 'aria-describedby': `${helpText === '' ? '' : helpId} ${errorId}`.trim() }, ...(spec.options ?? []).map(([value, label]) => h('option', { value, selected: value === spec.initial }, label)))
        : h('input', {
            id,
            name: spec.pointer,
            'data-field': spec.pointer,
            type: 'text',
            inputmode: spec.kind === 'integer' ? 'numeric' : spec.kind === 'number' ? 'decimal' : undefined,
            value: spec.initial ?? '',
            placeholder: spec.placeholder,
            required: this.required,
            autocomplete: 'off',
            'aria-describedby': `${helpText === '' ? '' : helpId} ${errorId}`.trim(),
          });
    const label = h('label', { for: id }, spec.label, spec.unit === undefined ? null : h('span', { class: 'unit' }, ` (${spec.unit})`), this.required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null);
    this.element = h('div', { class: 'field' }, label, this.control, helpText === '' ? null : h('p', { id: helpId, class: 'help' }, helpText), this.error);
    this.control.addEventListener('input', () => this.validate());
    this.control.addEventListener('change', () => this.validate());
  }

  get pointer(): string {
    return this.spec.pointer;
  }

  /** The value for the request (scaled), undefined when empty, or why it is not acceptable. */
  read(): FieldValue {
    const raw = this.control.value.trim();
    if (raw === '') return this.required ? { ok: false, message: 'is required' } : { ok: true, value: undefined };
    if (this.spec.kind === 'text' || this.spec.kind === 'select') {
      const problem = checkValue(this.node, raw);
      return problem === undefined ? { ok: true, value: raw } : { ok: false, message: problem };
    }
    const number = Number(raw);
    if (!Number.isFinite(number)) return { ok: false, message: 'must be a number' };
    const scale = this.spec.scale ?? 1;
    const value = Math.round(number * scale * 1e9) / 1e9;
    const problem = checkValue(this.node, value, (bound) => `${bound / scale}${this.spec.unit === undefined ? '' : ` ${this.spec.unit}`}`);
    return problem === undefined ? { ok: true, value } : { ok: false, message: problem };
  }

  /** Shows the field's own problem (or clears it); true when the value is acceptable. */
  validate(): boolean {
    const result = this.read();
    this.showError(result.ok ? undefined : `${this.spec.label} ${result.message}`);
    return result.ok;
  }

  showError(message: string | undefined): void {
    this.error.textContent = message ?? '';
    if (message === undefined) this.control.removeAttribute('aria-invalid');
    else this.control.setAttribute('aria-invalid', 'true');
  }

  set disabled(disabled: boolean) {
    this.control.disabled = disabled;
    if (disabled) this.showError(undefined);
  }
}
