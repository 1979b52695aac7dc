/**
 * How long a test waits for something that must happen (a job to finish, an element to appear, a client to be
 * assigned) before it gives up. It is a guard against hangs, far above any compute time on a loaded machine, never
 * a deadline: tests wait for events and states, and a slow machine only makes them wait longer. The per-test
 * limit in vitest.config.ts is higher still, so a hang is reported here, with what was awaited.
 */
export const PATIENCE_MS = 240_000;

/**
 * The round deadline (and secure-aggregation phase timeout, the largest the schema allows) of a test job whose
 * deadline is not what the test is about: rounds close when their clients have answered, never because a loaded
 * machine computed too slowly. Tests about deadlines use a virtual clock (the simulator's, or `VirtualClock`).
 */
export const ROUND_DEADLINE_MS = 600_000;
export const PHASE_TIMEOUT_MS = 600_000;
