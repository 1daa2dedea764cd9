/**
 * Structured warnings with codes, printed once per code and message, and silenceable per code
 * (Lightning's warnings cannot be turned off one by one; ours can: `silenceWarning("LT1003")`).
 */

/** A warning sink; the default prints to `console.warn` on the global-zero process. */
export type WarningSink = (code: string, message: string) => void;

const silenced = new Set<string>();
const seen = new Set<string>();
let sink: WarningSink = (code, message) => console.warn(`[lightning-ts ${code}] ${message}`);
let enabled = true;

/** Emit a warning once (per code and message) unless its code is silenced. */
export function warn(code: string, message: string): void {
  if (!enabled || silenced.has(code)) return;
  const key = `${code}\u0000${message}`;
  if (seen.has(key)) return;
  seen.add(key);
  sink(code, message);
}

/** Never show warnings with this code again. */
export function silenceWarning(code: string): void {
  silenced.add(code);
}

/** Replace where warnings go (tests collect them; non-zero ranks drop them). Returns the previous sink. */
export function setWarningSink(next: WarningSink): WarningSink {
  const previous = sink;
  sink = next;
  return previous;
}

/** Turn all warnings on or off (non-zero ranks turn them off). */
export function setWarningsEnabled(value: boolean): void {
  enabled = value;
}

/** Forget which warnings were already shown (tests). */
export function resetWarnings(): void {
  seen.clear();
}
