/**
 * The web console end to end, in Debian's chromium: sign in, create and launch a job on a fleet of real agent
 * processes, watch it live (pausing it and restarting the coordinator underneath the page), check that what the pages
 * show equals the REST API, check form errors, and save a screenshot of every page under test-output/console/.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import * as tf from '@tensorflow/tfjs';
import type { ClientView, DeploymentView, FitTask, JobView, ModelVersionView, RoundView } from '@shoal/protocol';
import { decodeFrame } from '@shoal/codec';
import { buildPresetModel } from '@shoal/ml';
import { AGENT_BIN, startCoordinator, startProgram, type Started } from '../../apps/demo/src/processes.js';
import { formatBytes, formatCount, formatNumber, formatPercent, formatRatio } from '../../apps/console/src/format.js';
import { downloadBytes, eventually, getJson, request, useBearerToken } from '../support/rest.js';
import { launchBrowser, screenshot, unlabelledControls, waitForAttribute, type Browser } from './browser.js';
import { ROUND_DEADLINE_MS } from '../support/patience.js';
import { call, connectRaw, helloRaw, nextTask, type RawSocket } from '../support/raw-client.js';

const AGENTS = 2;
const ROUNDS = 3;
const ADMIN_TOKEN = 'console-e2e-admin-token';
// Reads need a credential too: the REST helpers send the admin token.
useBearerToken(ADMIN_TOKEN);

describe('web console in a real browser', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'shoal-e2e-'));
  const coordinatorDir = join(dataDir, 'coordinator');
  const coordinatorArgs = ['--admin-token', ADMIN_TOKEN];
  let coordinator: Started & { url: string };
  const agents: Started[] = [];
  let browser: Browser;
  let page: Page;
  let jobId: string;
  /**
   * A protocol-level client that holds round 1 open until the page has paused the job, so the pause always lands
   * mid-job however fast or slow the agents and the browser are; then it fails its task and leaves.
   */
  let holder: RawSocket | undefined;
  let heldTask: Promise<FitTask> | undefined;
  /** Uncaught exceptions and CSP violations in the page: there must be none. */
  const pageErrors: string[] = [];

  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  const text = async (selector: string) => (await page.locator(selector).first().textContent())?.trim() ?? '';
  const value = async (selector: string) => page.locator(selector).first().getAttribute('data-value');

  beforeAll(async () => {
    [coordinator, browser] = await Promise.all([startCoordinator(coordinatorDir, { extraArgs: coordinatorArgs }), launchBrowser()]);
    page = browser.page;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => message.text().includes('Content Security Policy') && pageErrors.push(message.text()));
    for (let i = 0; i < AGENTS; i++) {
      const args = ['--coordinator', coordinator.url, '--shard', `${i}/${AGENTS}`, '--max-examples', '1000', '--state-dir', join(dataDir, `agent-${i}`), '--name', `agent-${i}`];
      agents.push(startProgram(AGENT_BIN, args, join(dataDir, `agent-${i}.log`)));
    }
    await eventually(async () => ((await getJson<{ online: number }>(`${coordinator.url}/api/v1/clients`)).online === AGENTS ? true : undefined), 'the agents to register');
  });

  afterAll(async () => {
    holder?.disconnect();
    await browser?.close();
    await Promise.all([...agents, coordinator].map((program) => program?.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('1. signs in with the admin token (a wrong one is refused next to the field)', async () => {
    await page.goto(`${coordinator.url}/jobs`);
    await page.waitForURL(/\/login\?next=%2Fjobs$/);
    // Keyboard only: the token field has focus, Enter submits.
    await page.waitForFunction(() => document.activeElement?.id === 'admin-token');
    await page.keyboard.type('not-the-admin-token');
    await page.keyboard.press('Enter');
    await page.locator('#admin-token-error', { hasText: 'not valid' }).waitFor();
    expect(await page.getAttribute('#admin-token', 'aria-invalid')).toBe('true');
    await screenshot(page, '01-login-refused');

    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/jobs$/);
    await page.locator('[data-testid=connection][data-state=live]').waitFor();
    await screenshot(page, '02-jobs-empty');
  });

  it('shows the fleet with the numbers of the REST API', async () => {
    await nav('Fleet').click();
    await page.locator('[data-testid=fleet-table] tbody tr').nth(AGENTS - 1).waitFor();
    const api = await getJson<{ items: ClientView[]; online: number; registered: number }>(`${coordinator.url}/api/v1/clients?sort=name`);
    expect(await text('[data-testid=fleet-online]')).toBe(formatCount(api.online));
    expect(await text('[data-testid=fleet-registered]')).toBe(formatCount(api.registered));
    for (const client of api.items) {
      const row = page.locator(`tr[data-client-id="${client.id}"]`);
      expect(await row.locator('td[data-label=Status]').textContent()).toBe(client.status);
      expect(await row.locator('td[data-label="ML backend"]').textContent()).toBe(client.capabilities.backend);
    }
    await page.getByLabel('Search clients').fill('agent-1');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=fleet-table] tbody tr').length === 1);
    expect(await page.locator('[data-testid=fleet-table] tbody tr').getAttribute('data-client-id')).toBe(api.items.find((c) => c.name === 'agent-1')?.id);
    await page.getByLabel('Search clients').fill('');
    await page.locator('[data-testid=fleet-table] tbody tr').nth(AGENTS - 1).waitFor();
    await screenshot(page, '03-fleet');
  });

  it('5. shows bad input next to its field: as you type, and the server\'s own refusal', async () => {
    await nav('New job').click();
    await page.locator('form.job-form').waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    await page.getByLabel('Rounds').fill('0');
    expect(await text('[data-error-for="/rounds"]')).toBe('Rounds must be at least 1');
    expect(await page.getAttribute('[data-field="/rounds"]', 'aria-invalid')).toBe('true');
    // The error is the field's own: inside its .field and named by its aria-describedby.
    const described = await page.getAttribute('[data-field="/rounds"]', 'aria-describedby');
    expect(described?.split(' ')).toContain(await page.getAttribute('[data-error-for="/rounds"]', 'id'));
    await page.getByLabel('Learning rate', { exact: true }).fill('abc');
    expect(await text('[data-error-for="/learningRate"]')).toBe('Learning rate must be a number');

    await page.getByLabel('Rounds').fill(String(ROUNDS));
    await page.getByLabel('Learning rate', { exact: true }).fill('0.1');
    expect(await text('[data-error-for="/rounds"]')).toBe('');
    // Only the coordinator knows this rule: it answers VALIDATION_FAILED naming /minAvailableClients.
    await page.getByLabel('Minimum clients per round').fill('2');
    await page.getByLabel('Clients to wait for').fill('1');
    await page.getByRole('button', { name: 'Create and launch job' }).click();
    await page.locator('[data-error-for="/minAvailableClients"]', { hasText: 'must be at least minFitClients' }).waitFor();
    expect(await page.locator('.form-summary').isVisible()).toBe(true);
    await screenshot(page, '04-new-job-errors');
    await page.getByLabel('Clients to wait for').fill('');

    // A strategy shows its own settings only; the coordinator's rule for Krum comes back next to the field it names.
    expect(await page.getByLabel('Trimmed fraction β').isVisible()).toBe(false);
    await page.locator('[data-field="/strategy/name"]').selectOption('fedtrimmedavg');
    expect(await page.getByLabel('Trimmed fraction β').isVisible()).toBe(true);
    await page.locator('[data-field="/strategy/name"]').selectOption('krum');
    expect(await page.getByLabel('Trimmed fraction β').isVisible()).toBe(false);
    await page.getByLabel('Attackers to tolerate (f)').fill('1');
    await page.getByRole('button', { name: 'Create and launch job' }).click();
    await page.locator('[data-error-for="/minFitClients"]', { hasText: "must be at least 3 for 'krum'" }).waitFor();
    await page.locator('[data-field="/strategy/name"]').selectOption('fedavg');
    expect(await page.getByLabel('Attackers to tolerate (f)').isVisible()).toBe(false);
  });

  it('2. creates and launches a job from the form', async () => {
    holder = await connectRaw(coordinator.url);
    heldTask = nextTask(holder);
    await helloRaw(holder, 'round-holder');
    await page.getByLabel('Job name').fill('e2e 2nn');
    await page.getByLabel('Clients to wait for').fill('');
    await page.getByLabel('Round deadline').fill(String(ROUND_DEADLINE_MS / 1000));
    await page.getByLabel('Test examples to use').fill('1000');
    await page.getByRole('button', { name: 'Create and launch job' }).click();
    await page.waitForURL(/\/jobs\/job-[0-9a-f]+$/);
    jobId = new URL(page.url()).pathname.split('/').pop()!;
    const job = await getJson<JobView>(`${coordinator.url}/api/v1/jobs/${jobId}`);
    expect(job.config).toMatchObject({ name: 'e2e 2nn', rounds: ROUNDS, minFitClients: 2, minAvailableClients: 2, learningRate: 0.1, roundDeadlineMs: ROUND_DEADLINE_MS, uploadCodec: { id: 'int8' }, evaluation: { dataset: 'mnist-test', limit: 1000 } });
  });

  it('3. follows the job live, across a pause and a coordinator restart, until it finishes', async () => {
    await waitForAttribute(page, '[data-testid=round-counter]', 'data-round', '1');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.locator('[data-testid=job-status] [data-status=paused]').waitFor();
    const pausedAt = Number(await page.getAttribute('[data-testid=round-counter]', 'data-round'));
    expect(pausedAt).toBe(1);
    // Round 1 was held open by the holder: it gives up its task now, and the round closes on the agents' updates.
    const task = await heldTask!;
    expect((await call(holder!, 'fit:failure', { taskId: task.taskId, jobId: task.jobId, round: task.round, error: { code: 'INTERNAL', message: 'holder steps aside' } })).ok).toBe(true);
    holder!.disconnect();
    // The open round finishes: its accuracy reaches the chart without a reload; no new round starts.
    await waitForAttribute(page, '[data-testid=chart-accuracy]', 'data-points', String(pausedAt));
    await screenshot(page, '05-job-paused');

    // Restart the coordinator on the same port and data directory; the page notices and reconnects by itself.
    const port = Number(new URL(coordinator.url).port);
    await coordinator.stop();
    await page.locator('[data-testid=connection][data-state=reconnecting]').waitFor();
    await screenshot(page, '06-job-reconnecting');
    coordinator = await startCoordinator(coordinatorDir, { port, extraArgs: coordinatorArgs });
    await page.locator('[data-testid=connection][data-state=live]').waitFor();
    await page.locator('[data-testid=job-status] [data-status=paused]').waitFor();
    expect(await page.getAttribute('[data-testid=round-counter]', 'data-round')).toBe(String(pausedAt));
    await eventually(async () => ((await getJson<{ online: number }>(`${coordinator.url}/api/v1/clients`)).online === AGENTS ? true : undefined), 'the agents to reconnect');

    await page.getByRole('button', { name: 'Resume' }).click();
    await waitForAttribute(page, '[data-testid=round-counter]', 'data-round', `>=${pausedAt + 1}`);
    await screenshot(page, '07-job-running');
    await page.locator('[data-testid=job-status] [data-status=completed]').waitFor();
    await waitForAttribute(page, '[data-testid=chart-accuracy]', 'data-points', String(ROUNDS));
  });

  it('4. shows the numbers of the REST API', async () => {
    const job = await getJson<JobView>(`${coordinator.url}/api/v1/jobs/${jobId}`);
    const rounds = (await getJson<{ items: RoundView[] }>(`${coordinator.url}/api/v1/jobs/${jobId}/rounds`)).items;
    expect(job.status).toBe('completed');
    expect(rounds.map((r) => r.status)).toEqual(Array(ROUNDS).fill('completed'));
    await waitForAttribute(page, '[data-testid=job-rounds-completed] span', 'data-value', String(job.summary.roundsCompleted));
    await waitForAttribute(page, '[data-testid=job-bytes-down] span', 'data-value', String(job.summary.bytesDown));
    expect(await text('[data-testid=round-counter]')).toBe(`Round ${ROUNDS} of ${ROUNDS}`);
    expect(await text('[data-testid=job-rounds-completed]')).toBe(`${ROUNDS} of ${ROUNDS}`);
    expect(await text('[data-testid=job-accuracy]')).toBe(formatPercent(job.summary.centralAccuracy));
    expect(Number(await value('[data-testid=job-accuracy] span'))).toBe(job.summary.centralAccuracy);
    expect(await text('[data-testid=job-loss]')).toBe(formatNumber(job.summary.centralLoss));
    expect(await text('[data-testid=job-bytes-up]')).toBe(formatBytes(job.summary.bytesUp));
    expect(await text('[data-testid=job-bytes-down]')).toBe(formatBytes(job.summary.bytesDown));
    expect(Number(await value('[data-testid=job-bytes-up] span'))).toBe(job.summary.bytesUp);
    for (const round of rounds) {
      const row = (column: string) => `[data-testid=rounds-table] tr[data-round="${round.round}"] [data-col=${column}]`;
      expect(await text(row('reported'))).toBe(String(round.reported));
      expect(await text(row('selected'))).toBe(String(round.selected));
      expect(await text(row('failed'))).toBe(String(round.failed));
      expect(await text(row('centralAccuracy'))).toBe(formatPercent(round.metrics.centralAccuracy));
      expect(await text(row('bytesUp'))).toBe(formatBytes(round.metrics.bytesUp));
      expect(await text(row('bytesDown'))).toBe(formatBytes(round.metrics.bytesDown));
      expect(await text(row('compressionRatio'))).toBe(formatRatio(round.metrics.compressionRatio));
      expect(Number(await value(row('centralAccuracy')))).toBe(round.metrics.centralAccuracy);
    }
    // The accuracy chart plotted every round, and the job learned (well above 10% chance).
    expect(await page.getAttribute('[data-testid=chart-accuracy]', 'data-rounds')).toBe(String(ROUNDS));
    expect(job.summary.centralAccuracy!).toBeGreaterThan(0.5);
    await screenshot(page, '08-job-finished');
  });

  it('6. lists model versions with lineage, and the audit log of what was done', async () => {
    await nav('Models').click();
    await page.locator('[data-testid=models-table]').waitFor();
    const versions = (await getJson<{ items: ModelVersionView[] }>(`${coordinator.url}/api/v1/jobs/${jobId}/models`)).items;
    expect(await page.locator('[data-testid=models-table] tbody tr').count()).toBe(versions.length);
    expect(await page.locator('[data-testid=models-table] tbody tr').first().textContent()).toContain(`round ${ROUNDS}`);
    await screenshot(page, '09-models');

    // Promote the latest version to the whole fleet: a canary needs something serving already, so the server refuses it
    // first and the form says why; without the canary it serves at once.
    await page.getByRole('button', { name: `Promote version ${ROUNDS}` }).click();
    const promoteForm = page.locator('[data-testid=promote-form]');
    await promoteForm.getByRole('button', { name: 'Promote' }).click();
    await promoteForm.locator('.form-summary', { hasText: 'a canary needs a deployment serving the whole fleet' }).waitFor();
    await screenshot(page, '09a-promote-refused');
    await promoteForm.getByLabel(/Send it to a share of the cohort first/).uncheck();
    await promoteForm.getByRole('button', { name: 'Promote' }).click();
    await page.waitForURL(/\/deployments\?highlight=dep-[0-9a-f]+$/);
    const promotedId = new URL(page.url()).searchParams.get('highlight')!;
    await page.locator(`[data-testid=deployments-table] tr[data-deployment-id="${promotedId}"] [data-status=serving]`).waitFor();
    const servingApi = async () => (await request<{ items: DeploymentView[] }>(`${coordinator.url}/api/v1/deployments`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).body.items;
    expect((await servingApi())[0]).toMatchObject({ id: promotedId, jobId, version: ROUNDS, status: 'serving', cohort: [] });

    // Roll the fleet back to the version before, in one call from the Models page.
    await nav('Models').click();
    await page.getByRole('button', { name: `Roll back a cohort to version ${ROUNDS - 1}` }).click();
    await page.locator('[data-testid=rollback-form]').getByRole('button', { name: 'Roll back the cohort' }).click();
    await page.waitForURL(/\/deployments\?highlight=dep-[0-9a-f]+$/);
    const rollbackId = new URL(page.url()).searchParams.get('highlight')!;
    await page.locator(`[data-testid=deployments-table] tr[data-deployment-id="${promotedId}"] [data-status=rolled_back]`).waitFor();
    const deployments = await servingApi();
    expect(deployments.map((d) => [d.id, d.version, d.status])).toEqual([[rollbackId, ROUNDS - 1, 'serving'], [promotedId, ROUNDS, 'rolled_back']]);
    expect(await page.locator('[data-testid=deployments-table] tbody tr').count()).toBe(deployments.length);
    await screenshot(page, '09b-deployments');
    await page.locator(`a[href="/deployments/${rollbackId}"]`).click();
    await page.locator('[data-testid=deployment-status] [data-status=serving]').waitFor();
    await screenshot(page, '09c-deployment');

    await nav('Audit log').click();
    await page.locator('[data-testid=audit-table]').waitFor();
    const actions = await page.locator('[data-testid=audit-table] tbody td[data-label=Action]').allTextContents();
    expect(actions).toEqual(expect.arrayContaining(['session.create', 'job.create', 'job.pause', 'job.resume', 'deployment.create', 'cohort.rollback']));
    await screenshot(page, '10-audit');

    await nav('Jobs').click();
    await page.locator('.data-table').waitFor();
    await screenshot(page, '11-jobs');
  });

  it('creates a job from an uploaded tfjs model.json and weights, and stops it', async () => {
    // What a user would upload: tfjs's own model.json and weights.bin for a model with known weights.
    const model = buildPresetModel('mnist-2nn', { seed: 42 });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => ((saved = artifacts), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const firstKernelValues = Array.from(model.getWeights()[0]!.dataSync().subarray(0, 8));
    model.dispose();
    const modelJson = join(dataDir, 'model.json');
    const weightsBin = join(dataDir, 'weights.bin');
    writeFileSync(modelJson, JSON.stringify({ format: 'layers-model', modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['./weights.bin'], weights: saved!.weightSpecs }] }));
    writeFileSync(weightsBin, new Uint8Array(saved!.weightData as ArrayBuffer));

    await nav('New job').click();
    await page.getByLabel('Upload a tfjs model').check();
    await page.getByLabel('Job name').fill('uploaded 2nn');
    await page.getByLabel('Minimum clients per round').fill('50');
    await page.locator('#model-json').setInputFiles(modelJson);
    await page.locator('#model-weights').setInputFiles(join(dataDir, 'agent-0.log'));
    await page.locator('#model-weights-error', { hasText: 'The weight file weights.bin named by model.json was not chosen' }).waitFor();
    await screenshot(page, '12-new-job-upload');
    await page.locator('#model-weights').setInputFiles(weightsBin);
    await page.locator('[data-testid=model-summary]', { hasText: '6 weight tensors, 199,210 parameters; initial weights from the uploaded files.' }).waitFor();
    await page.getByRole('button', { name: 'Create and launch job' }).click();
    await page.waitForURL(/\/jobs\/job-[0-9a-f]+$/);
    const uploadedId = new URL(page.url()).pathname.split('/').pop()!;
    const initial = decodeFrame(await downloadBytes(`${coordinator.url}/api/v1/jobs/${uploadedId}/models/0/weights`));
    expect(Array.from(initial.tensors[0]!.values.subarray(0, 8))).toEqual(firstKernelValues);

    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.getByRole('button', { name: 'Stop the job' }).click();
    await page.locator('[data-testid=job-status] [data-status=stopped]').waitFor();
    expect((await getJson<JobView>(`${coordinator.url}/api/v1/jobs/${uploadedId}`)).status).toBe('stopped');
  });

  it('stays readable on a narrow screen', async () => {
    await page.setViewportSize({ width: 380, height: 800 });
    for (const [path, name] of [[`/jobs/${jobId}`, '13-narrow-job'], ['/fleet', '14-narrow-fleet']] as const) {
      await page.goto(`${coordinator.url}${path}`);
      await page.locator('[data-testid=connection][data-state=live]').waitFor();
      await page.locator(path === '/fleet' ? '[data-testid=fleet-table]' : '[data-testid=rounds-table]').waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(380);
      await screenshot(page, name);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('signs out, after which pages ask for the token again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    await page.goto(`${coordinator.url}/fleet`);
    await page.waitForURL(/\/login\?next=%2Ffleet$/);
    expect((await getJson<{ items: { action: string }[] }>(`${coordinator.url}/api/v1/audit?limit=1`)).items[0]!.action).toBe('session.delete');
    expect(pageErrors).toEqual([]);
  });
});
