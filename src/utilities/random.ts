/**
 * Seeded random generators the framework owns. `Generator` is an MT19937 stream like `torch.Generator` on CPU,
 * so seeded shuffles (e.g. `randperm`) can reproduce PyTorch's index order for the same seed.
 */
const N = 624;
const M = 397;

/** Serialisable state of a `Generator`: the seed it started from and the MT19937 words and position. */
export interface GeneratorState {
  seed: number;
  mt: number[];
  index: number;
}

/** A seeded MT19937 random stream with the seeding and `randperm` of `torch.Generator` on CPU. */
export class Generator {
  private mt = new Uint32Array(N);
  private index = N + 1;
  private seed = 5489;

  constructor(seed?: number) {
    this.manualSeed(seed ?? 5489);
  }

  /** Reseed the stream (like `torch.Generator.manual_seed`); returns `this`. */
  manualSeed(seed: number): this {
    this.seed = seed;
    // torch seeds mt19937 with the low 32 bits of the 64-bit seed.
    this.mt[0] = Number(BigInt.asUintN(32, BigInt(Math.trunc(seed))));
    for (let i = 1; i < N; i++) {
      const prev = this.mt[i - 1] ?? 0;
      const x = prev ^ (prev >>> 30);
      this.mt[i] = (Math.imul(1812433253, x) + i) >>> 0;
    }
    this.index = N;
    return this;
  }

  /** The seed last passed to `manualSeed`. */
  initialSeed(): number {
    return this.seed;
  }

  /** Next raw 32-bit unsigned integer of the stream. */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++] ?? 0;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  random(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n). */
  randint(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** A permutation of 0..n-1 drawn like `torch.randperm(n, generator=g)` on CPU. */
  randperm(n: number): number[] {
    const r = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < n - 1; i++) {
      const z = this.nextUint32() % (n - i);
      const tmp = r[i] ?? 0;
      r[i] = r[z + i] ?? 0;
      r[z + i] = tmp;
    }
    return r;
  }

  /** A copy of the current state, for checkpoints. */
  getState(): GeneratorState {
    return { seed: this.seed, mt: Array.from(this.mt), index: this.index };
  }

  /** Restore a state produced by `getState`. */
  setState(state: GeneratorState): void {
    this.seed = state.seed;
    this.mt = Uint32Array.from(state.mt);
    this.index = state.index;
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < N; i++) {
      const y = ((mt[i] ?? 0) & 0x80000000) | ((mt[(i + 1) % N] ?? 0) & 0x7fffffff);
      let v = (mt[(i + M) % N] ?? 0) ^ (y >>> 1);
      if (y & 1) v ^= 0x9908b0df;
      mt[i] = v >>> 0;
    }
    this.index = 0;
  }
}

/** The framework's default generator (samplers, dropout masks drawn by the framework, splits). */
export const defaultGenerator = new Generator();
