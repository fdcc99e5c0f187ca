/**
 * Features logged as one vector are stored under the names `field[0]`, `field[1]`…: an export
 * gives them back as a list, the shape they came in (and what a training loop stacks). Features
 * logged as named fields stay an object keyed by name.
 */
export function isFeatureVector(names: readonly string[]): boolean {
  if (names.length === 0) return false;
  const open = names[0]!.lastIndexOf('[');
  if (open <= 0) return false;
  const prefix = names[0]!.slice(0, open);
  return names.every((n, i) => n === `${prefix}[${i}]`);
}
