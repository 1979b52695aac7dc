/** docker-compose.yml is valid for Debian's docker-compose and describes the documented deployment. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('docker-compose.yml', () => {
  it('passes `docker-compose config` and has a coordinator with a data volume and three agents', () => {
    const services = execFileSync('docker-compose', ['config', '--services'], { cwd: root, encoding: 'utf8' }).trim().split('\n').sort();
    expect(services).toEqual(['agent-0', 'agent-1', 'agent-2', 'coordinator']);
    const config = execFileSync('docker-compose', ['config'], { cwd: root, encoding: 'utf8' });
    expect(config).toMatch(/coordinator-data:\/data/);
    expect(config).toMatch(/SHOAL_COORDINATOR: http:\/\/coordinator:7070/);
    expect(config).toMatch(/condition: service_healthy/);
  });
});
