/**
 * Runs every `transcript` of protocols/v1/conformance against a real coordinator (port 0, a fresh data directory
 * per transcript, started with an admin token), as the README's runner contract says: one test per transcript.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import { TranscriptRunner, transcripts } from './conformance/transcript-runner.js';

const ADMIN_TOKEN = 'conformance-admin-token';
const root = mkdtempSync(join(tmpdir(), 'shoal-conformance-live-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('conformance transcripts against a live coordinator', () => {
  const all = transcripts();

  it('exist, with unique names, each covering something', () => {
    expect(all.length).toBeGreaterThan(0);
    expect(new Set(all.map((transcript) => transcript.name)).size).toBe(all.length);
    for (const transcript of all) expect(transcript.covers.length, transcript.name).toBeGreaterThan(0);
  });

  it.each(all.map((transcript, at) => [transcript.name, transcript, at] as const))('%s', async (_name, transcript, at) => {
    const coordinator = new Coordinator({ port: 0, dataDir: join(root, `c${at}`), logger: pino({ level: 'silent' }), centralEvaluation: false, adminToken: ADMIN_TOKEN });
    const { url } = await coordinator.start();
    try {
      await new TranscriptRunner(transcript, { url, adminToken: ADMIN_TOKEN }).run();
    } finally {
      await coordinator.stop();
    }
  });
});
