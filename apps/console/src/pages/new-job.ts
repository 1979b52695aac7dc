/** New job: the form, built from the coordinator's own schema, codecs and presets; a created job opens its live page. */
import type { JobView } from '@shoal/protocol';
import { api, ApiError } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { JobForm, type FormCatalog } from '../forms/job-form.js';
import type { SchemaNode } from '../forms/schema-rules.js';
import type { Page, PageContext } from '../router.js';
import { errorState, loadingState, pageHeader } from '../ui.js';

async function loadCatalog(signal: AbortSignal): Promise<FormCatalog> {
  const [schema, codecs, info] = await Promise.all([
    api<SchemaNode>('/schemas/create-job-request', { signal }),
    api<{ items: { id: string; lossless: boolean }[] }>('/codecs', { signal }),
    api<{ presets: { name: string; description: string; parameterCount: number }[] }>('/info', { signal }),
  ]);
  return { schema, codecs: codecs.items, presets: info.presets };
}

export function newJobPage(context: PageContext): Page {
  const body = h('div', {}, loadingState('the job form'));
  const controller = new AbortController();

  const show = () => {
    loadCatalog(controller.signal).then(
      (catalog) => replaceChildren(body, createForm(catalog)),
      (error: unknown) => {
        if (!controller.signal.aborted) replaceChildren(body, errorState(error, show));
      },
    );
  };

  function createForm(catalog: FormCatalog): HTMLElement {
    const submitText = h('span', {}, 'Create and launch job');
    const form = new JobForm(catalog, submitText);
    const button = form.element.querySelector<HTMLButtonElement>('button[type=submit]');
    form.element.addEventListener('submit', (event) => {
      event.preventDefault();
      void (async () => {
        if (button !== null) button.disabled = true;
        submitText.textContent = 'Creating…';
        try {
          const built = await form.build();
          if (!built.ok) return;
          const job = await api<JobView>('/jobs', { method: 'POST', body: built.body });
          context.navigate(`/jobs/${encodeURIComponent(job.id)}`);
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          const problems = error.problems.length > 0 || error.code !== 'UNSUPPORTED_MODEL' ? error.problems : [{ field: '/model', message: error.message }];
          form.showServerProblems(problems, `${error.message} (${error.code})`);
        } finally {
          if (button !== null) button.disabled = false;
          submitText.textContent = 'Create and launch job';
        }
      })();
    });
    return form.element;
  }

  show();
  return {
    title: 'New job',
    element: h('section', { class: 'new-job' }, pageHeader('New job'), h('p', { class: 'lead' }, 'The job starts as soon as enough clients are connected. Fields marked * are required; the rest have defaults.'), body),
    dispose: () => controller.abort(),
  };
}
