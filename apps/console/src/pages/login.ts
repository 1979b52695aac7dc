/** Sign in with the coordinator's admin token; the coordinator answers with an HttpOnly session cookie. */
import type { MessageOf } from '@shoal/protocol';
import { api, ApiError } from '../api.js';
import { h } from '../dom.js';
import type { Page } from '../router.js';

export function loginPage(options: { reason: 'expired' | undefined; onLoggedIn: () => void }): Page {
  const input = h('input', {
    id: 'admin-token',
    name: 'token',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    spellcheck: 'false',
    'aria-describedby': 'admin-token-help admin-token-error',
  });
  const error = h('p', { id: 'admin-token-error', class: 'field-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'login-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'admin-token' }, 'Admin token'), input, error),
    h(
      'p',
      { id: 'admin-token-help', class: 'help' },
      'The coordinator prints a generated token once, at its first start (log line “generated an admin token”), or uses the one given with ',
      h('code', {}, '--admin-token'),
      ' / ',
      h('code', {}, 'SHOAL_ADMIN_TOKEN'),
      '.',
    ),
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (token === '') {
      showError('Enter the admin token.');
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    api<MessageOf<'session'>>('/session', { method: 'POST', body: { token }, expectUnauthenticated: true }).then(
      () => options.onLoggedIn(),
      (failure: unknown) => {
        submit.disabled = false;
        submit.textContent = 'Sign in';
        showError(failure instanceof ApiError && failure.code === 'UNAUTHENTICATED' ? 'That token is not valid. Check it and try again.' : failure instanceof Error ? failure.message : String(failure));
        input.select();
      },
    );
  });
  function showError(message: string): void {
    error.textContent = message;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }

  const element = h(
    'main',
    { id: 'main', class: 'login' },
    h(
      'div',
      { class: 'login-card' },
      h('p', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '◆'), 'Shoal'),
      h('h1', { tabindex: '-1' }, 'Sign in to the console'),
      options.reason === 'expired' ? h('p', { class: 'notice', role: 'status' }, 'Your session has ended. Sign in again to continue.') : null,
      form,
    ),
  );
  return { title: 'Sign in', element };
}
