import path from 'node:path';
import type { ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import { MODEL_CARD_KEYS, ModelCardSchema, type ModelCard } from '../../../shared/features/models/model-card';
import type { ValueSource } from '../../../shared/features/models/model-card';
import { readRegularFile } from '../../io/safe-open';

type AddInput = ParsedInput<'models.add'>;

const EXAMPLE = '{"name": "spam-filter", "version": "3", "classes": ["ham", "spam"], "threshold": 0.7}';

/** Reads and checks a model card: a JSON object of known keys, each of its type; else says what is wrong. */
export function readModelCard(file: string): ModelCard {
  const where = path.resolve(file);
  let text: string;
  try {
    text = readRegularFile(where, 'model card', 1 << 20).toString('utf8');
  } catch (e) {
    throw new ApiError('bad-file', e instanceof ApiError ? e.message : `${where}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ApiError(
      'bad-file',
      `model card ${where} is not JSON (${(e as Error).message}): write a JSON object such as ${EXAMPLE}`,
    );
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ApiError('bad-file', `model card ${where} must be a JSON object such as ${EXAMPLE}`);
  }
  const unknown = Object.keys(json).filter((k) => !(MODEL_CARD_KEYS as string[]).includes(k));
  if (unknown.length > 0) {
    throw new ApiError(
      'bad-file',
      `model card ${where}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; a model card takes ${MODEL_CARD_KEYS.join(', ')}`,
    );
  }
  const parsed = ModelCardSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ApiError('bad-file', `model card ${where}: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** The registration's request with the card's values where the command line gives none, and where each came from. */
export interface WithCard {
  input: AddInput & { threshold?: number };
  from: Partial<Record<'name' | 'version' | 'classes' | 'threshold' | 'outputKind' | 'lineage' | 'input', ValueSource>>;
}

/**
 * The command line wins over the card. Lineage (trained-on, train-until) and the input (template,
 * pair) are taken whole from one place: half from each would describe neither.
 */
export function withCard(input: AddInput, card: ModelCard | null): WithCard {
  const out: AddInput & { threshold?: number } = { ...input };
  const from: WithCard['from'] = {};
  const pick = <K extends 'name' | 'version' | 'classes' | 'threshold' | 'outputKind'>(key: K) => {
    if (input[key] !== undefined) from[key] = 'command line';
    else if (card?.[key] !== undefined) {
      (out as Record<string, unknown>)[key] = card[key];
      from[key] = 'model card';
    }
  };
  pick('name');
  pick('version');
  pick('classes');
  pick('threshold');
  pick('outputKind');
  if (input.trainedOn !== undefined || input.trainUntil !== undefined) from.lineage = 'command line';
  else if (card && (card.trainedOn !== undefined || card.trainUntil !== undefined)) {
    if (card.trainedOn !== undefined) out.trainedOn = card.trainedOn;
    if (card.trainUntil !== undefined) out.trainUntil = card.trainUntil;
    from.lineage = 'model card';
  }
  if (input.inputTemplate !== undefined || input.inputPair !== undefined) from.input = 'command line';
  else if (card && (card.inputTemplate !== undefined || card.inputPair !== undefined)) {
    if (card.inputTemplate !== undefined) out.inputTemplate = card.inputTemplate;
    if (card.inputPair !== undefined) out.inputPair = card.inputPair;
    from.input = 'model card';
  }
  return { input: out, from };
}
