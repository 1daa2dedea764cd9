/** Global seeding: `Math.random` (TF.js draws its initialisers and shuffles from it) and the framework's generators. */
import seedrandom from 'seedrandom';
import { defaultGenerator } from './random.js';

let globalSeed: number | undefined;
let mathRandomState: seedrandom.State.Arc4 | undefined;
let seededRandom: seedrandom.StatefulPRNG<seedrandom.State.Arc4> | undefined;

/**
 * Seed every random source lightning-ts and TF.js use, like Lightning's `seed_everything`.
 * Returns the seed used (a random one when none is given).
 */
export function seedEverything(seed?: number): number {
  const used = seed ?? Math.floor(Math.random() * 2 ** 31);
  globalSeed = used;
  // TF.js treats a seed of 0 as "no seed"; we never hand it one, it draws from Math.random, which we seed here.
  seededRandom = seedrandom(String(used), { state: true });
  mathRandomState = seededRandom.state();
  Math.random = seededRandom;
  defaultGenerator.manualSeed(used);
  return used;
}

/** The seed passed to the last `seedEverything`, if any. */
export function getGlobalSeed(): number | undefined {
  return globalSeed;
}

/** Snapshot of the global random state (for checkpoints and `isolateRng`). */
export interface RngState {
  seed: number | undefined;
  mathRandom: seedrandom.State.Arc4 | undefined;
  generator: ReturnType<typeof defaultGenerator.getState>;
}

/** Capture the state of `Math.random` (when seeded by us) and the default generator. */
export function getRngState(): RngState {
  return { seed: globalSeed, mathRandom: seededRandom?.state() ?? mathRandomState, generator: defaultGenerator.getState() };
}

/** Restore a state captured by `getRngState`. */
export function setRngState(state: RngState): void {
  globalSeed = state.seed;
  if (state.mathRandom !== undefined) {
    seededRandom = seedrandom('', { state: state.mathRandom });
    Math.random = seededRandom;
  }
  defaultGenerator.setState(state.generator);
}

/** Run `fn` and restore the random state afterwards (sanity checking must not change the training stream). */
export async function isolateRng<T>(fn: () => Promise<T>): Promise<T> {
  const state = getRngState();
  try {
    return await fn();
  } finally {
    setRngState(state);
  }
}
