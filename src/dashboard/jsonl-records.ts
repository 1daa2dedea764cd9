/** Validation of metrics.jsonl lines read by the dashboard: a malformed line becomes a notice, never an exception. */
import { z } from 'zod';

const jsonlNumber = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);

const checkpointInfo = z.looseObject({
  savedPath: z.string().optional(),
  bestModelPath: z.string().optional(),
  bestModelScore: z.number().nullable().optional(),
  monitor: z.string().optional(),
});

/** The records `JsonlLogger` writes, as the dashboard accepts them (unknown extra fields are allowed). */
export const DashboardJsonlRecord = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('metrics'),
    step: z.number(),
    epoch: jsonlNumber.optional(),
    metrics: z.record(z.string(), jsonlNumber),
    timestamp: z.number(),
  }),
  z.looseObject({ type: z.literal('hparams'), params: z.record(z.string(), z.unknown()), timestamp: z.number() }),
  z.looseObject({ type: z.literal('status'), status: z.enum(['success', 'failed', 'interrupted']), timestamp: z.number() }),
  z.looseObject({ type: z.literal('checkpoint'), checkpoint: checkpointInfo, timestamp: z.number() }),
]);
/** One validated metrics.jsonl record. */
export type DashboardJsonlRecord = z.infer<typeof DashboardJsonlRecord>;

/** A parsed line, or why it was skipped. */
export type ParsedLine = { ok: true; record: DashboardJsonlRecord } | { ok: false; reason: string };

/** Parse and validate one line of metrics.jsonl. */
export function parseJsonlLine(line: string): ParsedLine {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  const parsed = DashboardJsonlRecord.safeParse(raw);
  if (parsed.success) return { ok: true, record: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? '' : ` at "${issue.path.join('.')}"`;
  return { ok: false, reason: `not a lightning-ts record${where}: ${issue?.message ?? 'invalid'}` };
}

/** A JSONL number as a chart value: finite numbers as they are, NaN and infinities as `null` (a gap). */
export function chartValue(v: number | string | undefined): number | null {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}
