/** "Did you mean" for config keys, export names and file names: the closest candidates by edit distance. */

/** Levenshtein distance, case-insensitive except that a case change costs a little (so `maxepochs` → `maxEpochs`). */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const ca = a[i - 1] ?? '';
      const cb = b[j - 1] ?? '';
      const cost = ca === cb ? 0 : ca.toLowerCase() === cb.toLowerCase() ? 0.5 : 1;
      const next = Math.min((prev[j] ?? 0) + 1, (prev[j - 1] ?? 0) + 1, diagonal + cost);
      diagonal = prev[j] ?? 0;
      prev[j] = next;
    }
  }
  return prev[b.length] ?? 0;
}

/** Normalise snake_case and kebab-case to camelCase before comparing (`max_epochs` is one step from `maxEpochs`). */
function camel(name: string): string {
  return name.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The candidates closest to `name` (at most `limit`), best first: those within a distance that still looks like
 * a typo (a third of the longer name, at least 2) and at most one edit worse than the best.
 */
export function closestMatches(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const scored: Array<[string, number]> = [];
  const target = camel(name);
  for (const candidate of new Set(candidates)) {
    const distance = Math.min(editDistance(name, candidate), editDistance(target, candidate));
    const budget = Math.max(2, Math.ceil(Math.max(name.length, candidate.length) / 3));
    if (distance <= budget) scored.push([candidate, distance]);
  }
  scored.sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]));
  const best = scored[0]?.[1] ?? 0;
  return scored.filter(([, d]) => d <= best + 1).slice(0, limit).map(([candidate]) => candidate);
}

/** `Did you mean "x"?` (or `"x" or "y"`), or undefined when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const matches = closestMatches(name, candidates);
  if (matches.length === 0) return undefined;
  return `Did you mean ${matches.map((m) => `"${m}"`).join(' or ')}?`;
}
