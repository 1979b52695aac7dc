/** A training round while it runs: the plain or the secure variant of the round core, told apart by `kind`. */
import type { FitRound } from './fit-round.js';
import type { SecureFitRound } from './secure/secure-fit-round.js';

export type OpenRound = FitRound | SecureFitRound;
