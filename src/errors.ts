/** Every error lightning-ts throws on purpose: what happened, what was received, and a hint on how to fix it. */
export class LightningError extends Error {
  /** How to fix it, also appended to the message after `hint:`. */
  readonly hint: string | undefined;

  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(hint !== undefined ? `${message}\n  hint: ${hint}` : message, options);
    this.hint = hint;
    this.name = new.target.name;
  }
}

/** A Trainer, module, callback or loader was configured in a way that cannot work. */
export class MisconfigurationError extends LightningError {}

/** A backend, package or kernel that the run asked for is not available on this machine. */
export class BackendError extends LightningError {}

/** A state dict, checkpoint or tensor did not have the expected names, shapes or dtypes. */
export class StateDictError extends LightningError {}

/** A checkpoint or data file is truncated, malformed or hostile. */
export class CorruptFileError extends LightningError {}

/** A value became NaN or infinite where the run cannot continue (`detectAnomaly`). */
export class AnomalyError extends LightningError {}

/** Short, single-line description of a received value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'function') return `a function ${value.name || '(anonymous)'}`;
  const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
  return ctor !== undefined && ctor !== 'Object' ? `an instance of ${ctor}` : 'an object';
}
