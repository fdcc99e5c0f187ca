/**
 * Queue reasons in plain words for annotators. The stored reason (see reasons.ts) carries the
 * numbers an item was ranked by; the words say what it means ("the models are unsure between
 * positive and neutral"), and the numbers stay at hand as `detail` (a tooltip). A reason this
 * file does not recognise is shown as stored: never a guess.
 */

export interface PlainReason {
  /** What the reason means, in words, without numbers. */
  text: string;
  /** The stored reason with its numbers and the item's priority. */
  detail: string;
}

/** Maps a class name as the model wrote it to the name shown now (e.g. after a label rename). */
export type ClassNamer = (className: string) => string;

const same: ClassNamer = (c) => c;

function oneReason(reason: string, name: ClassNamer): string | null {
  let m: RegExpMatchArray | null;
  if (/^random sample \(seed -?\d+\)$/.test(reason)) return 'random control sample';
  if ((m = reason.match(/^margin [\d.]+ between (.+) and (.+)$/)))
    return `the model is unsure between ${name(m[1]!)} and ${name(m[2]!)}`;
  if ((m = reason.match(/^least confidence [\d.]+: top class (.+) at [\d.]+$/)))
    return `the model is not sure of its best guess, ${name(m[1]!)}`;
  if (/^least confidence [\d.]+ \(mean over \d+ labels\)$/.test(reason))
    return 'the model is not sure of several labels';
  if (/^entropy [\d.]+ \(max 1, mean over \d+ labels\)$/.test(reason))
    return 'the model spreads its scores on several labels';
  if (/^entropy [\d.]+ \(max 1\)$/.test(reason)) return 'the model spreads its scores over the classes';
  if ((m = reason.match(/^P\((.+)\) [\d.]+, [\d.]+ (above|below) threshold [\d.]+$/)))
    return `close to the decision threshold for ${name(m[1]!)} (just ${m[2]} it)`;
  if ((m = reason.match(/^models (.+?)\/(.+) disagree: (.+) vs (.+) \([^()]+\)$/)))
    return `the two models disagree: ${m[1]} says ${name(m[3]!)}, ${m[2]} says ${name(m[4]!)}`;
  if ((m = reason.match(/^models (.+?)\/(.+) agree on (.+) \([^()]+\)$/)))
    return `the two models both say ${name(m[3]!)}, with different scores`;
  if ((m = reason.match(/^\d+ runs vote (.+); vote entropy [\d.]+$/))) {
    const groups = m[1]!.split(' vs ').map((g) => g.match(/^(.+) \d+ \((.+)\)$/));
    if (groups.every((g) => g !== null)) {
      return `the models split their votes: ${groups.map((g) => `${g![2]} ${g![2]!.includes(', ') ? 'say' : 'says'} ${name(g![1]!)}`).join('; ')}`;
    }
    return null;
  }
  if ((m = reason.match(/^confident error: predicted (.+) at [\d.]+, truth (.+)$/)))
    return `the model is confident it is ${name(m[1]!)}, but the recorded answer is ${name(m[2]!)}`;
  if ((m = reason.match(/^predicted (.+) at [\d.]+, truth unknown$/)))
    return `the model is confident it is ${name(m[1]!)}; no recorded answer to compare`;
  if ((m = reason.match(/^predicted (.+) at [\d.]+, matches the truth$/)))
    return `the model is confident it is ${name(m[1]!)}, as the recorded answer says`;
  return null;
}

/** Splits joined reasons ("a; b"), keeping the "; vote entropy" tail with its vote. */
function parts(reason: string): string[] {
  const out: string[] = [];
  for (const piece of reason.split('; ')) {
    if (out.length > 0 && /^vote entropy [\d.]+$/.test(piece)) out[out.length - 1] += `; ${piece}`;
    else out.push(piece);
  }
  return out;
}

/** A queue item's reason and priority as words for people, with the numbers kept for a tooltip. */
export function plainReason(reason: string, priority: number, name: ClassNamer = same): PlainReason {
  const detail = `${reason} · priority ${Number.isFinite(priority) ? priority.toFixed(4) : String(priority)}`;
  const words = parts(reason.trim()).map((p) => oneReason(p, name) ?? p);
  return { text: words.join('; ') || reason, detail };
}
