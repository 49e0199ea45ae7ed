/**
 * The listed rates, then doubling the last one while it stays within `cap`: stepping goes on
 * until the target lags (or the budget ends), so a best-sustained figure is never capped by a
 * list that stopped too early.
 */
export function rateSteps(listed: readonly number[], cap: number): number[] {
  const steps = [...listed];
  let next = (steps.at(-1) ?? 0) * 2;
  while (next > 0 && next <= cap) {
    steps.push(next);
    next *= 2;
  }
  return steps;
}
