/**
 * The job creation form: model (preset or uploaded tfjs files), strategy, rounds and clients, local training, codec,
 * evaluation and differential privacy. Fields check themselves as you type; the server's field problems
 * (VALIDATION_FAILED `details.problems[].field`) are shown next to the field they name.
 */
import type { FieldProblem } from '../api.js';
import { h, type Child } from '../dom.js';
import { FormField } from './form-field.js';
import { privacyFields, trainingFieldGroups } from './job-fields.js';
import { nodeAt, setAt, type SchemaNode } from './schema-rules.js';
import { ModelFileError, readModelFiles } from './tfjs-model-files.js';

export interface FormCatalog {
  schema: SchemaNode;
  codecs: readonly { id: string; lossless: boolean }[];
  presets: readonly { name: string; description: string; parameterCount: number }[];
}

export type BuiltRequest = { ok: true; body: Record<string, unknown> } | { ok: false };

/** A message slot next to something that is not a FormField (file inputs, fieldsets). */
function messageSlot(pointer: string): HTMLElement {
  return h('p', { class: 'field-error', 'data-error-for': pointer });
}

export class JobForm {
  readonly element: HTMLFormElement;
  private readonly fields: FormField[] = [];
  private readonly name: FormField;
  private readonly preset: FormField;
  private readonly modelFile = h('input', { id: 'model-json', type: 'file', accept: '.json,application/json', 'aria-describedby': 'model-json-help model-json-error' });
  private readonly weightFiles = h('input', { id: 'model-weights', type: 'file', accept: '.bin,application/octet-stream', multiple: true, 'aria-describedby': 'model-weights-help model-weights-error' });
  private readonly modelError = Object.assign(messageSlot('/model'), { id: 'model-json-error' });
  private readonly weightsError = Object.assign(messageSlot('/initialWeights'), { id: 'model-weights-error' });
  private readonly modelSummary = h('p', { class: 'help', role: 'status', 'data-testid': 'model-summary' });
  private readonly usePreset = h('input', { type: 'radio', name: 'model-source', id: 'model-source-preset', value: 'preset', checked: true });
  private readonly useUpload = h('input', { type: 'radio', name: 'model-source', id: 'model-source-upload', value: 'upload' });
  private readonly evaluate = h('input', { type: 'checkbox', id: 'central-evaluation', checked: true });
  private readonly evaluationLimit: FormField;
  private readonly privacy: { toggle: HTMLInputElement; fields: FormField[] } | undefined;
  private readonly summary = h('div', { class: 'form-summary', role: 'alert', tabindex: '-1', hidden: true });

  constructor(
    private readonly catalog: FormCatalog,
    submitLabel: Child,
  ) {
    const { schema } = catalog;
    this.name = this.field({ pointer: '/name', label: 'Job name', kind: 'text', initial: 'mnist 2nn' });
    this.preset = this.field({
      pointer: '/model/preset',
      label: 'Preset',
      kind: 'select',
      initial: catalog.presets[0]?.name,
      options: catalog.presets.map((preset) => [preset.name, `${preset.name} — ${preset.parameterCount.toLocaleString('en-US')} parameters`]),
    });
    this.evaluationLimit = this.field({ pointer: '/evaluation/limit', label: 'Test examples to use', kind: 'integer', placeholder: 'all 10,000' });
    const strategies = (nodeAt(schema, '/strategy/name')?.enum ?? ['fedavg']).map(String);
    const groups = trainingFieldGroups(catalog.codecs, strategies).map((group) => h('fieldset', {}, h('legend', {}, group.legend), h('div', { class: 'field-grid' }, ...group.fields.map((spec) => this.field(spec).element))));
    for (const field of this.fields) field.control.addEventListener('change', () => this.applyConditions());
    this.applyConditions();

    const privacyNode = nodeAt(schema, '/privacy');
    let privacySection: HTMLElement;
    if (privacyNode !== undefined) {
      const toggle = h('input', { type: 'checkbox', id: 'privacy-enabled' });
      const fields = privacyFields((nodeAt(schema, '/privacy/mode')?.enum ?? ['central']).map(String)).map((spec) => this.field(spec));
      fields.forEach((field) => (field.disabled = true));
      toggle.addEventListener('change', () => fields.forEach((field) => (field.disabled = !toggle.checked)));
      this.privacy = { toggle, fields };
      privacySection = h('fieldset', {}, h('legend', {}, 'Differential privacy'), h('div', { class: 'check' }, toggle, h('label', { for: 'privacy-enabled' }, 'Train with differential privacy (DP-FedAvg)')), h('div', { class: 'field-grid' }, ...fields.map((f) => f.element)));
    } else {
      privacySection = h(
        'fieldset',
        { disabled: true, class: 'unavailable', 'aria-describedby': 'privacy-note' },
        h('legend', {}, 'Differential privacy'),
        h('p', { id: 'privacy-note', class: 'note' }, 'Not available yet: differential privacy arrives with issue #4. This coordinator does not accept privacy settings, so jobs train without them.'),
        h('div', { class: 'field-grid' }, ...['Noise multiplier', 'Clip norm', 'Sampling rate', 'δ (delta)'].map((label, i) => h('div', { class: 'field' }, h('label', { for: `privacy-off-${i}` }, label), h('input', { id: `privacy-off-${i}`, type: 'text', disabled: true })))),
      );
    }

    const presetBox = h('div', { class: 'model-choice', id: 'model-preset-box' }, this.preset.element);
    const uploadBox = h(
      'div',
      { class: 'model-choice', id: 'model-upload-box', hidden: true },
      h('div', { class: 'field' }, h('label', { for: 'model-json' }, 'model.json (tfjs Layers)'), this.modelFile, h('p', { id: 'model-json-help', class: 'help' }, 'A tfjs Layers model ending in a softmax classifier.'), this.modelError, this.modelSummary),
      h('div', { class: 'field' }, h('label', { for: 'model-weights' }, 'Weight files (.bin, optional)'), this.weightFiles, h('p', { id: 'model-weights-help', class: 'help' }, 'The shards model.json names, float32 only. Without them the model starts from its seeded initialisation.'), this.weightsError),
    );
    const sourceChanged = () => {
      presetBox.hidden = !this.usePreset.checked;
      uploadBox.hidden = this.usePreset.checked;
    };
    this.usePreset.addEventListener('change', sourceChanged);
    this.useUpload.addEventListener('change', sourceChanged);
    this.modelFile.addEventListener('change', () => void this.checkModelFiles());
    this.weightFiles.addEventListener('change', () => void this.checkModelFiles());
    this.evaluate.addEventListener('change', () => (this.evaluationLimit.disabled = !this.evaluate.checked));

    this.element = h(
      'form',
      { class: 'job-form', novalidate: true, 'aria-label': 'New training job' },
      this.summary,
      h('fieldset', {}, h('legend', {}, 'Job'), this.name.element),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Model'),
        h('div', { class: 'radio-row', role: 'radiogroup', 'aria-label': 'Model source' }, h('div', { class: 'check' }, this.usePreset, h('label', { for: 'model-source-preset' }, 'Built-in preset')), h('div', { class: 'check' }, this.useUpload, h('label', { for: 'model-source-upload' }, 'Upload a tfjs model'))),
        presetBox,
        uploadBox,
      ),
      ...groups,
      h('fieldset', {}, h('legend', {}, 'Evaluation'), h('div', { class: 'check' }, this.evaluate, h('label', { for: 'central-evaluation' }, 'Evaluate every new version on the MNIST test set (centralized)')), this.evaluationLimit.element),
      privacySection,
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button primary' }, submitLabel)),
    );
  }

  private field(spec: ConstructorParameters<typeof FormField>[0]): FormField {
    const field = new FormField(spec, this.catalog.schema);
    this.fields.push(field);
    return field;
  }

  /** Shows (and sends) a strategy's own settings only while that strategy is chosen. */
  private applyConditions(): void {
    for (const field of this.fields) {
      const when = field.spec.when;
      if (when === undefined) continue;
      const controller = this.fields.find((f) => f.pointer === when.pointer);
      const shown = controller !== undefined && when.values.includes(controller.control.value);
      field.control.disabled = !shown;
      field.element.hidden = !shown;
    }
  }

  private activeFields(): FormField[] {
    return this.fields.filter((field) => !field.control.disabled && !(field === this.preset && !this.usePreset.checked));
  }

  private async checkModelFiles(): Promise<Awaited<ReturnType<typeof readModelFiles>> | undefined> {
    this.modelError.textContent = '';
    this.weightsError.textContent = '';
    this.modelSummary.textContent = '';
    const model = this.modelFile.files?.[0];
    if (model === undefined) {
      this.modelError.textContent = 'Choose the model.json file.';
      return undefined;
    }
    try {
      const parsed = await readModelFiles(model, Array.from(this.weightFiles.files ?? []));
      this.modelSummary.textContent = `${parsed.tensors} weight tensors, ${parsed.parameters.toLocaleString('en-US')} parameters; ${parsed.initialWeights === undefined ? 'seeded initial weights' : 'initial weights from the uploaded files'}.`;
      return parsed;
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      const message = text.charAt(0).toUpperCase() + text.slice(1);
      if (error instanceof ModelFileError && error.input === 'weights') this.weightsError.textContent = message;
      else this.modelError.textContent = message;
      return undefined;
    }
  }

  /** Checks every field, then builds the request body; on problems, lists them and focuses the first. */
  async build(): Promise<BuiltRequest> {
    this.summary.hidden = true;
    const body: Record<string, unknown> = {};
    const problems: { field: HTMLElement; message: string }[] = [];
    for (const field of this.activeFields()) {
      const result = field.read();
      field.showError(result.ok ? undefined : `${field.spec.label} ${result.message}`);
      if (!result.ok) problems.push({ field: field.control, message: `${field.spec.label} ${result.message}` });
      else if (result.value !== undefined && field !== this.preset && field !== this.evaluationLimit) setAt(body, field.pointer, result.value);
    }
    if (this.usePreset.checked) body['model'] = { preset: this.preset.control.value };
    else {
      const parsed = await this.checkModelFiles();
      if (parsed === undefined) problems.push({ field: this.modelFile, message: this.weightsError.textContent || this.modelError.textContent || 'The model files cannot be read' });
      else {
        body['model'] = { topology: parsed.topology };
        if (parsed.initialWeights !== undefined) body['initialWeights'] = parsed.initialWeights;
      }
    }
    if (this.evaluate.checked) {
      const limit = this.evaluationLimit.read();
      body['evaluation'] = limit.ok && limit.value !== undefined ? { dataset: 'mnist-test', limit: limit.value } : { dataset: 'mnist-test' };
    }
    if (this.privacy?.toggle.checked === true) setAt(body, '/privacy/accountant/kind', String(nodeAt(this.catalog.schema, '/privacy/accountant/kind')?.enum?.[0] ?? 'rdp'));
    if (problems.length > 0) {
      this.showSummary(problems.map((p) => ({ target: p.field, message: p.message })));
      return { ok: false };
    }
    return { ok: true, body };
  }

  /** Puts each server problem next to its field (or the nearest enclosing one); the rest go to the summary. */
  showServerProblems(problems: readonly FieldProblem[], fallback: string): void {
    const listed: { target: HTMLElement | undefined; message: string }[] = [];
    for (const problem of problems) {
      const field = this.fieldFor(problem.field);
      const message = `${field?.spec.label ?? problem.field} ${problem.message}`;
      if (field !== undefined) {
        field.showError(message);
        listed.push({ target: field.control, message });
      } else if (problem.field.startsWith('/initialWeights')) {
        this.weightsError.textContent = problem.message;
        listed.push({ target: this.weightFiles, message: `Weight files: ${problem.message}` });
      } else if (problem.field.startsWith('/model')) {
        if (this.usePreset.checked) this.preset.showError(`Model ${problem.message}`);
        else this.modelError.textContent = problem.message;
        listed.push({ target: this.usePreset.checked ? this.preset.control : this.modelFile, message: `Model: ${problem.message}` });
      } else listed.push({ target: undefined, message: `${problem.field} ${problem.message}` });
    }
    if (listed.length === 0) listed.push({ target: undefined, message: fallback });
    this.showSummary(listed);
  }

  private fieldFor(pointer: string): FormField | undefined {
    const active = this.activeFields();
    let candidate = pointer;
    while (candidate !== '') {
      const field = active.find((f) => f.pointer === candidate);
      if (field !== undefined) return field;
      candidate = candidate.slice(0, candidate.lastIndexOf('/'));
    }
    return undefined;
  }

  private showSummary(problems: readonly { target: HTMLElement | undefined; message: string }[]): void {
    this.summary.replaceChildren(
      h('p', { class: 'state-title' }, problems.length === 1 ? 'The job was not created: 1 problem' : `The job was not created: ${problems.length} problems`),
      h('ul', {}, ...problems.map((p) => h('li', {}, p.target === undefined ? p.message : h('a', { href: `#${p.target.id}`, onclick: (event: Event) => { event.preventDefault(); p.target?.focus(); } }, p.message)))),
    );
    this.summary.hidden = false;
    this.summary.focus();
  }
}
