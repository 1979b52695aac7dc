/**
 * The simulator against the real coordinator: a run is reproducible from its seed (over either transport), every
 * injected fault shows up in what the coordinator recorded, and attacks hurt the model FedAvg produces. Deadlines
 * and straggler latencies run on the simulation's virtual clock, so none of this depends on the machine's speed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '@shoal/server';
import { readRounds, resolveConfig, runSimulation, type RoundLine, type SimulationConfig } from '@shoal/simulator';

const root = mkdtempSync(join(tmpdir(), 'shoal-sim-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Simulated milliseconds: stragglers (median 2.4 s) past it are late; a round with a silent client lasts exactly this. */
const DEADLINE_MS = 4000;

/** Small and quick: 100 MNIST examples per client, central evaluation on 1,000 test images. */
function config(name: string, overrides: Record<string, unknown> = {}): SimulationConfig {
  return resolveConfig({
    clients: 30,
    perRound: 8,
    rounds: 3,
    trainLimit: 3000,
    evalLimit: 1000,
    workers: 1,
    seed: 7,
    progress: false,
    roundDeadlineMs: DEADLINE_MS,
    out: join(root, name),
    ...overrides,
  });
}

const FAULTS = {
  dropout: 0.15,
  crashMidTraining: 0.1,
  crashMidUpload: 0.1,
  stragglers: { medianMs: 2400, sigma: 1.5 },
  malicious: { fraction: 0.2, attack: 'sign-flip' },
};

/** Everything but the real time the machine took, which no seed can fix (simulated durations are compared). */
function timeless(lines: RoundLine[]): Omit<RoundLine, 'wallMs'>[] {
  return lines.map(({ wallMs: _wallMs, ...rest }) => rest);
}

describe('a faulty fleet', () => {
  let first: Awaited<ReturnType<typeof runSimulation>>;
  let lines: RoundLine[];

  it('runs, and a second run with the same seed gives the same metrics and final weights', async () => {
    const faulty = { faults: FAULTS, workers: 2, seed: 1 };
    first = await runSimulation(config('faults-a', faulty));
    const second = await runSimulation(config('faults-b', faulty));
    lines = readRounds(join(root, 'faults-a'));

    expect(first.rounds).toBe(3);
    expect(timeless(readRounds(join(root, 'faults-b')))).toEqual(timeless(lines));
    expect(second.finalWeightsSha256).toBe(first.finalWeightsSha256);
  });

  it('injected every kind of fault', () => {
    const injected = lines.reduce(
      (sum, line) => ({
        dropout: sum.dropout + line.faults.dropout,
        crashMidTraining: sum.crashMidTraining + line.faults.crashMidTraining,
        crashMidUpload: sum.crashMidUpload + line.faults.crashMidUpload,
        late: sum.late + line.faults.late,
        attackers: sum.attackers + line.faults.attackers,
      }),
      { dropout: 0, crashMidTraining: 0, crashMidUpload: 0, late: 0, attackers: 0 },
    );

    for (const count of Object.values(injected)) expect(count).toBeGreaterThan(0);
  });

  it('has the coordinator count every faulty client as dropped, and close such rounds at the deadline with the quorum', () => {
    for (const line of lines) {
      const { dropout, crashMidTraining, crashMidUpload, late } = line.faults;
      expect(line.dropped).toBe(dropout + crashMidTraining + crashMidUpload + late);
      expect(line.participants).toBe(line.selected - line.dropped);
      expect(line.status).toBe('completed');
      // Silent and late clients keep the round open until its deadline; crashes are seen at once.
      if (dropout + late > 0) expect(line.durationMs).toBe(DEADLINE_MS);
      else expect(line.durationMs).toBeLessThan(DEADLINE_MS);
      expect(line.wallMs).toBeGreaterThan(0);
    }
  });

  it('records each fault as the coordinator saw it: disconnects, silence at the deadline, late uploads', () => {
    const store = new SqliteStore(join(root, 'faults-a', 'coordinator.sqlite'));
    try {
      const contributions = lines.flatMap((line) => store.listContributions(first.jobId, line.round));
      const count = (predicate: (c: (typeof contributions)[number]) => boolean) => contributions.filter(predicate).length;
      const total = (key: keyof RoundLine['faults']) => lines.reduce((sum, line) => sum + line.faults[key], 0);

      // A crash is a disconnect: dropped without a code; the crashed client had downloaded the model.
      expect(count((c) => c.status === 'dropped' && c.errorCode === undefined)).toBe(total('crashMidTraining') + total('crashMidUpload'));
      expect(count((c) => c.status === 'dropped' && c.errorCode === undefined && c.bytesDown === 0)).toBe(0);
      // A silent client is still pending at the deadline, and never downloaded anything.
      expect(count((c) => c.status === 'dropped' && c.errorCode === 'LATE_UPDATE' && c.bytesDown === 0)).toBe(total('dropout'));
      // A straggler past the deadline uploads after it and is refused as late.
      expect(count((c) => c.status === 'late' && c.bytesUp > 0)).toBe(total('late'));
      expect(first.counters).toEqual({ 'late uploads refused: LATE_UPDATE': total('late') });
      expect(count((c) => c.status === 'accepted')).toBe(first.acceptedUpdates);
    } finally {
      store.close();
    }
  });

  it('writes the run directory: config, partition histograms, metrics, summary, report and charts', () => {
    const dir = join(root, 'faults-a');
    const partition = JSON.parse(readFileSync(join(dir, 'partition.json'), 'utf8')) as { clients: { labels: number[]; examples: number }[] };
    const html = readFileSync(join(dir, 'report.html'), 'utf8');

    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toMatchObject({ clients: 30, perRound: 8, seed: 1 });
    expect(partition.clients).toHaveLength(30);
    expect(partition.clients[0]!.labels.reduce((a, b) => a + b, 0)).toBe(partition.clients[0]!.examples);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/(src|href)=["']?https?:/);
    for (const chart of ['accuracy', 'loss', 'clients', 'bytes', 'duration']) {
      expect(readFileSync(join(dir, 'charts', `${chart}.png`)).subarray(1, 4).toString()).toBe('PNG');
    }
  });
});

describe('transports', () => {
  it('gives the same rounds and weights over socket.io as in memory', async () => {
    const shared = { clients: 12, perRound: 4, rounds: 2, trainLimit: 1200, faults: { crashMidUpload: 0.2 } };
    const memory = await runSimulation(config('memory', shared));
    const socket = await runSimulation(config('socket', { ...shared, transport: 'socket' }));

    expect(timeless(readRounds(join(root, 'socket')))).toEqual(timeless(readRounds(join(root, 'memory'))));
    expect(socket.finalWeightsSha256).toBe(memory.finalWeightsSha256);
    expect(socket.completedRounds).toBe(2);
  });
});

describe('malicious clients', () => {
  // A 100 ms (simulated) deadline: no machine trains ten clients that fast, so this also shows that deadlines
  // wait for computation instead of racing it.
  const attack = { clients: 10, perRound: 10, rounds: 2, trainLimit: 2000, seed: 3, roundDeadlineMs: 100 };
  const accuracy = async (name: string, malicious?: Record<string, unknown>) =>
    (await runSimulation(config(name, { ...attack, faults: malicious === undefined ? {} : { malicious } }))).finalAccuracy!;
  let honest: number;

  it('trains an honest fleet to a useful model, every client on time', async () => {
    const summary = await runSimulation(config('honest', attack));
    honest = summary.finalAccuracy!;

    expect(honest).toBeGreaterThan(0.7);
    expect(summary.acceptedUpdates).toBe(20);
    expect(readRounds(join(root, 'honest')).map((line) => line.durationMs)).toEqual([0, 0]);
  });

  it.each([
    ['sign flipping', { fraction: 0.4, attack: 'sign-flip' }, 0.1],
    ['scaling by a factor', { fraction: 0.2, attack: 'scale', scale: -20 }, 0.1],
    ['random updates', { fraction: 0.5, attack: 'random' }, 0.05],
  ])('hurts the global model with %s', async (name, malicious, margin) => {
    const attacked = await accuracy(`attack-${name.replaceAll(' ', '-')}`, malicious);

    expect(attacked).toBeLessThan(honest - margin);
  });

  it('keeps the model useful under the scaling attack with a trimmed mean, which cuts the attackers’ values', async () => {
    const summary = await runSimulation(config('trimmed', { ...attack, strategy: { name: 'fedtrimmedavg', trimFraction: 0.2 }, faults: { malicious: { fraction: 0.2, attack: 'scale', scale: -20 } } }));

    expect(summary.finalAccuracy!).toBeGreaterThan(honest - 0.05);
  });
});
