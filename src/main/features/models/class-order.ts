import { ApiError } from '../../../shared/api/errors';
import type { Project } from '../../../shared/features/projects/contract';

/** Class names a model gives for its score columns, and where they were read. */
export interface NamedClasses {
  source: string;
  names: string[];
}

/** How a model's score columns map onto the project's classes. */
export interface ClassMatch {
  /** The model's class names in its column order; null when nothing names them. */
  modelClasses: string[] | null;
  /** For each project class, the model column that holds it; null when taken positionally. */
  classOrder: number[] | null;
  warning: string | null;
}

const key = (name: string) => name.trim().toLowerCase();

/** The `classes` metadata value: a JSON list, or names separated by commas. */
export function parseClassList(value: string): string[] {
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    try {
      const list = JSON.parse(trimmed) as unknown;
      if (Array.isArray(list)) return list.map((v) => String(v).trim());
    } catch {
      // not JSON after all: read it as a comma-separated list
    }
  }
  return trimmed
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The names transformers gives when none were set: LABEL_0, LABEL_1, … */
export function isDefaultId2label(names: string[]): boolean {
  return names.every((n, i) => n === `LABEL_${i}`);
}

function refuseDuplicates(names: string[], where: string, source: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(key(n))) {
      throw new ApiError('bad-mapping', `${where}: ${source} names class '${n}' twice (${names.join(', ')})`);
    }
    seen.add(key(n));
  }
}

/**
 * Matches the model's class names to the project's by name (case-insensitive). Sources that name
 * the classes must agree with each other; a model that names none is taken in the project's order,
 * with a warning. `numeric` are integer labels (an sklearn op's classlabels_int64s): used as names
 * only where the project's classes are those numbers.
 */
export function matchClasses(
  project: Project,
  where: string,
  named: NamedClasses[],
  numeric: NamedClasses | null,
): ClassMatch {
  const projectClasses = project.classes;
  for (const n of named) refuseDuplicates(n.names, where, n.source);
  const [first, ...others] = named;
  for (const other of others) {
    if (other.names.map(key).join('\u0000') !== first!.names.map(key).join('\u0000')) {
      throw new ApiError(
        'bad-mapping',
        `${where}: ${first!.source} (${first!.names.join(', ')}) and ${other.source} (${other.names.join(', ')}) disagree on the model's classes`,
      );
    }
  }
  const projectKeys = projectClasses.map(key);
  const numericFits =
    numeric !== null &&
    numeric.names.length === projectClasses.length &&
    numeric.names.every((n) => projectKeys.includes(key(n)));
  const names = first ?? (numericFits ? numeric : null);
  if (!names) {
    const why = numeric
      ? `the model labels its classes by number (${numeric.names.join(', ')}, ${numeric.source}), not by name`
      : 'the model does not name its classes';
    return {
      modelClasses: null,
      classOrder: null,
      warning: `${why}; assumed project order ${projectClasses.join(', ')} (declare them with --classes if that is wrong)`,
    };
  }
  const modelKeys = names.names.map(key);
  const same = modelKeys.length === projectKeys.length && projectKeys.every((k) => modelKeys.includes(k));
  if (!same) {
    throw new ApiError(
      'bad-mapping',
      `${where}: the model's classes (${names.names.join(', ')}, from ${names.source}) do not match project '${project.name}' classes (${projectClasses.join(', ')})`,
    );
  }
  return {
    modelClasses: names.names,
    classOrder: projectKeys.map((k) => modelKeys.indexOf(k)),
    warning: null,
  };
}

/** A model with named classes must give one column per class (or one, P(second class), for binary). */
export function checkWidth(match: ClassMatch, width: number, where: string, output: string): void {
  const n = match.modelClasses?.length;
  if (n === undefined || width === n || (width === 1 && n === 2)) return;
  throw new ApiError(
    'bad-mapping',
    `${where}: output '${output}' gives ${width} values per example but the model names ${n} classes (${match.modelClasses!.join(', ')})`,
  );
}
