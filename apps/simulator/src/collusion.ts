/**
 * "A little is enough" (Baruch et al. 2019) for the simulator: colluding attackers that send μ − z·σ of their own
 * honest updates in every value, small enough to pass for honest and still steer the mean.
 */
import type { FitTask, NamedTensor } from '@shoal/protocol';
import { defaultCodecRegistry, encodeFrame } from '@shoal/codec';
import type { FleetActivity } from './fleet-activity.js';
import { DEFAULT_ALIE_Z } from './sim-config.js';
import type { ClientHost } from './client-host.js';

/** Simulated time after training at which a round's ALIE attackers meet; see Collusion. */
const MEETING_MS = 1;

/** μ − z·σ per value over the honest updates (σ the population standard deviation), summed in the order given. */
export function alieUpdate(honest: readonly NamedTensor[][], z: number): NamedTensor[] {
  const count = honest.length;
  return honest[0]!.map((tensor, t) => {
    const values = new Float32Array(tensor.values.length);
    for (let i = 0; i < values.length; i++) {
      let sum = 0;
      for (const update of honest) sum += update[t]!.values[i]!;
      const mean = sum / count;
      let squares = 0;
      for (const update of honest) squares += (update[t]!.values[i]! - mean) ** 2;
      values[i] = mean - z * Math.sqrt(squares / count);
    }
    return { name: tensor.name, shape: tensor.shape, values };
  });
}

interface Meeting {
  honest: Map<number, NamedTensor[]>;
  frame: Uint8Array | undefined;
  waiting: number;
}

/**
 * The colluding ALIE attackers of one simulation ("a little is enough", Baruch et al. 2019). A worker sees one
 * client, so the attackers estimate the honest spread from their own honestly trained updates: each hands its update
 * in and sleeps MEETING_MS of simulated time, which the clock reaches only once no client works, so by then every
 * attacker of the round that trains has handed its update in. All then send the same μ − z·σ over those updates,
 * taken in client order so the float sums, like the rest of a seeded run, do not depend on which worker was faster.
 * A round with one attacker has σ = 0: it sends its honest update.
 */
export class Collusion {
  private readonly meetings = new Map<string, Meeting>();
  private readonly codecs = defaultCodecRegistry();

  constructor(
    private readonly activity: FleetActivity,
    private readonly z: number,
  ) {}

  async meet(task: FitTask, member: { index: number; id: string }, honest: NamedTensor[]): Promise<Uint8Array> {
    const key = `${task.jobId}/${task.round}`;
    let meeting = this.meetings.get(key);
    if (meeting === undefined) this.meetings.set(key, (meeting = { honest: new Map(), frame: undefined, waiting: 0 }));
    meeting.honest.set(member.index, honest);
    meeting.waiting++;
    await this.activity.sleep(member.id, MEETING_MS);
    const updates = [...meeting.honest].sort(([a], [b]) => a - b).map(([, update]) => update);
    meeting.frame ??= encodeFrame('delta', alieUpdate(updates, this.z), { id: task.uploadCodec.id, params: task.uploadCodec.params ?? {} }, this.codecs);
    if (--meeting.waiting === 0) this.meetings.delete(key);
    // Each upload gets its own bytes: the transport may hand them on.
    return meeting.frame.slice();
  }
}

/** One collusion per simulation, keyed by the host every client of it shares. */
const collusions = new WeakMap<ClientHost, Collusion>();

export function collusionOf(host: ClientHost): Collusion {
  let collusion = collusions.get(host);
  if (collusion === undefined) collusions.set(host, (collusion = new Collusion(host.activity, host.config.faults.malicious?.z ?? DEFAULT_ALIE_Z)));
  return collusion;
}
