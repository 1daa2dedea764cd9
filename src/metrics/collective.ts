/** What metrics need from the strategy's collectives to merge their state across processes. */

/** How a state is merged across processes (and across batches in `forward`). `cat` concatenates in rank order. */
export type Reduction = 'sum' | 'mean' | 'min' | 'max' | 'cat';

/**
 * The collectives a metric needs to merge its state across processes. The strategy's collective (issue 9) adapts to
 * this: `allReduce` reduces element-wise and resolves to the reduced array (same length on every rank);
 * `allGather` resolves to every rank's array in rank order (lengths may differ between ranks).
 */
export interface MetricCollective {
  readonly worldSize: number;
  allReduce(data: Float64Array, op: 'sum' | 'min' | 'max'): Promise<Float64Array>;
  allGather(data: Float64Array): Promise<Float64Array[]>;
}

/** The single-process collective: every reduction is the identity. */
export const singleProcessCollective: MetricCollective = {
  worldSize: 1,
  allReduce: (data) => Promise.resolve(data),
  allGather: (data) => Promise.resolve([data]),
};
