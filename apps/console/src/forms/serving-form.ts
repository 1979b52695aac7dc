/**
 * The serving form of the Models page: promote a version to a cohort (optionally through a canary with automatic
 * rollback), or roll a cohort back to a version in one call. The canary fields check themselves against the
 * coordinator's create-deployment-request schema; the server's field problems show next to the field they name.
 */
import type { DeploymentView } from '@shoal/protocol';
import { api, ApiError } from '../api.js';
import { h, uniqueId } from '../dom.js';
import { FormField, type FieldSpec } from './form-field.js';
import { setAt, type SchemaNode } from './schema-rules.js';

export type ServingAction = 'promote' | 'rollback';

export interface ServingTarget {
  jobId: string;
  jobName: string;
  version: number;
}

const CANARY_FIELDS: FieldSpec[] = [
  { pointer: '/canary/percent', label: 'Canary share', kind: 'number', unit: '%', initial: '10', help: 'Clients of the cohort that get the version first.' },
  { pointer: '/canary/minReports', label: 'Reports before deciding', kind: 'integer', initial: '5', help: 'Telemetry windows with requests the canary needs.' },
  { pointer: '/canary/observeMs', label: 'Observe for', kind: 'number', unit: 's', scale: 1000, initial: '600', help: 'Then the whole cohort gets it, unless it regressed.' },
  { pointer: '/canary/maxP99Ms', label: 'Roll back above p99', kind: 'number', unit: 'ms', optional: true },
  { pointer: '/canary/maxP99Ratio', label: 'Roll back above p99 ratio', kind: 'number', initial: '1.5', optional: true, help: "Multiple of the previous deployment's p99." },
  { pointer: '/canary/minAccuracy', label: 'Roll back below accuracy', kind: 'number', optional: true, help: 'On-device accuracy of labelled requests, 0 to 1.' },
  { pointer: '/canary/maxAccuracyDrop', label: 'Roll back on accuracy drop over', kind: 'number', optional: true, help: 'Below the previous deployment, 0 to 1.' },
];

/** "eu, gpu" → ["eu", "gpu"]; an empty text is the whole fleet. */
export function parseCohort(text: string): string[] {
  return [...new Set(text.split(/[,\s]+/).map((label) => label.trim()).filter((label) => label !== ''))];
}

export class ServingForm {
  readonly element: HTMLFormElement;
  private readonly cohort = h('input', { type: 'text', id: uniqueId('cohort'), 'data-field': '/cohort', autocomplete: 'off', placeholder: 'all clients' });
  private readonly cohortError = h('p', { class: 'field-error', 'data-error-for': '/cohort', id: uniqueId('cohort-error') });
  private readonly useCanary = h('input', { type: 'checkbox', id: uniqueId('use-canary'), checked: true });
  private readonly fields: FormField[];
  private readonly summary = h('div', { class: 'form-summary', role: 'alert', tabindex: '-1', hidden: true });

  constructor(
    private readonly action: ServingAction,
    private readonly target: ServingTarget,
    schema: SchemaNode,
    onDone: (deployment: DeploymentView) => void,
    onCancel: () => void,
  ) {
    this.fields = action === 'promote' ? CANARY_FIELDS.map((spec) => new FormField(spec, schema)) : [];
    this.useCanary.addEventListener('change', () => this.fields.forEach((field) => (field.disabled = !this.useCanary.checked)));
    const title = action === 'promote' ? `Promote ${target.jobName} v${target.version}` : `Roll a cohort back to ${target.jobName} v${target.version}`;
    const submitLabel = action === 'promote' ? 'Promote' : 'Roll back the cohort';
    const submit = h('button', { type: 'submit', class: 'button primary' }, submitLabel);
    this.element = h(
      'form',
      { class: 'serving-form', 'aria-label': title, 'data-testid': `${action}-form`, novalidate: true },
      h('h2', {}, title),
      this.summary,
      h(
        'div',
        { class: 'field' },
        h('label', { for: this.cohort.id }, 'Cohort labels'),
        this.cohort,
        h('p', { class: 'help' }, 'Clients with all of these labels, separated by commas; empty for the whole fleet.'),
        this.cohortError,
      ),
      action === 'promote'
        ? h('fieldset', {}, h('legend', {}, 'Canary'), h('div', { class: 'check' }, this.useCanary, h('label', { for: this.useCanary.id }, 'Send it to a share of the cohort first, and roll back automatically on a regression')), h('div', { class: 'field-grid' }, ...this.fields.map((field) => field.element)))
        : h('p', { class: 'note' }, 'The cohort is served this version at once, in place of what it serves now.'),
      h('div', { class: 'form-actions' }, submit, h('button', { type: 'button', class: 'button quiet', onclick: onCancel }, 'Cancel')),
    );
    this.cohort.setAttribute('aria-describedby', this.cohortError.id);
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.send(submit, onDone);
    });
  }

  private body(): Record<string, unknown> | undefined {
    const body: Record<string, unknown> = { jobId: this.target.jobId, version: this.target.version, cohort: parseCohort(this.cohort.value) };
    if (this.action === 'rollback' || !this.useCanary.checked) return body;
    let ok = true;
    for (const field of this.fields) {
      ok = field.validate() && ok;
      const read = field.read();
      if (read.ok && read.value !== undefined) setAt(body, field.pointer, read.value);
    }
    return ok ? body : undefined;
  }

  private async send(submit: HTMLButtonElement, onDone: (deployment: DeploymentView) => void): Promise<void> {
    this.summary.hidden = true;
    this.cohortError.textContent = '';
    const body = this.body();
    if (body === undefined) return;
    submit.disabled = true;
    try {
      onDone(await api<DeploymentView>(this.action === 'promote' ? '/deployments' : '/cohorts/rollback', { method: 'POST', body }));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      for (const problem of error.problems) {
        const field = this.fields.find((candidate) => candidate.pointer === problem.field);
        if (field !== undefined) field.showError(`${field.spec.label} ${problem.message}`);
        else if (problem.field.startsWith('/cohort')) this.cohortError.textContent = `Cohort labels ${problem.message}`;
      }
      this.summary.textContent = `${error.message} (${error.code})`;
      this.summary.hidden = false;
      this.summary.focus();
    } finally {
      submit.disabled = false;
    }
  }
}
