/** The console's static files on a real coordinator: content types, caching, client routes, and nothing shadowed. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Coordinator } from '../coordinator.js';

const root = mkdtempSync(join(tmpdir(), 'shoal-static-'));
const consoleDir = join(root, 'console');
let coordinator: Coordinator;
let url: string;
const page = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

beforeAll(async () => {
  mkdirSync(join(consoleDir, 'assets'), { recursive: true });
  writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>console</title><script type="module" src="/assets/index-abc123.js"></script>');
  writeFileSync(join(consoleDir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(consoleDir, 'assets', 'index-abc123.css'), 'body{}');
  coordinator = new Coordinator({ port: 0, dataDir: join(root, 'data'), logger: pino({ level: 'silent' }), centralEvaluation: false, adminToken: 'static-files-admin-token', consoleDir });
  url = (await coordinator.start()).url;
});

afterAll(async () => {
  await coordinator.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('console static files', () => {
  it('serves index.html at / and at every client route, never cached and with a strict CSP', async () => {
    for (const path of ['/', '/fleet', '/jobs/job-123', '/login?next=%2Fjobs']) {
      const response = await fetch(`${url}${path}`, { headers: page });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await response.text()).toContain('<title>console</title>');
    }
  });

  it('serves hashed assets with their content type, cached for good; a missing one is a JSON 404', async () => {
    const script = await fetch(`${url}/assets/index-abc123.js`);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${url}/assets/index-abc123.css`)).headers.get('content-type')).toContain('text/css');
    const missing = await fetch(`${url}/assets/gone.js`, { headers: page });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('NOT_FOUND');
  });

  it('never shadows the API, health, metrics or socket.io', async () => {
    expect((await (await fetch(`${url}/api/v1/info`, { headers: page })).json()).protocolVersion).toBe(1);
    expect((await (await fetch(`${url}/api/v1/nope`, { headers: page })).json()).error.code).toBe('UNAUTHENTICATED');
    expect((await (await fetch(`${url}/healthz`, { headers: page })).json()).status).toBe('ok');
    expect(await (await fetch(`${url}/metrics`, { headers: page })).text()).toContain('shoal_');
    expect((await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers: page })).headers.get('content-type')).not.toContain('text/html');
  });

  it('answers API-style requests for unknown paths with JSON, not the page', async () => {
    const response = await fetch(`${url}/no-such-thing`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(404);
    expect((await response.json()).error.code).toBe('NOT_FOUND');
    expect((await fetch(`${url}/fleet`, { method: 'POST', headers: page })).status).toBe(404);
  });
});

describe('without a built console', () => {
  it('explains how to build it', async () => {
    const bare = new Coordinator({ port: 0, dataDir: join(root, 'bare'), logger: pino({ level: 'silent' }), centralEvaluation: false, adminToken: 'static-files-admin-token', consoleDir: join(root, 'missing') });
    const bareUrl = (await bare.start()).url;
    try {
      const response = await fetch(`${bareUrl}/`, { headers: page });
      expect(response.status).toBe(503);
      expect(await response.text()).toContain('npm run build:console');
      expect((await fetch(`${bareUrl}/api/v1/info`)).status).toBe(200);
    } finally {
      await bare.stop();
    }
  });
});
