/** Workers print one `REPORT <json>` line per result for the test to parse. */
export function report(value: unknown): void {
  process.stdout.write(`REPORT ${JSON.stringify(value)}\n`);
}
