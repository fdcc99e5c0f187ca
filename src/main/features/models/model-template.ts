// What text a text or tokenizer model reads: the example's text, a template over the example's
// text, text parts and metadata, or two templates fed as a text pair. Checked when a model is
// added or its mappings edited, and rendered per example when it scores.
import { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';
import { ApiError } from '../../../shared/api/errors';
import {
  asTemplate,
  parseTemplate,
  renderTemplate,
  type TextParts,
  type TextTemplate,
} from '../../../shared/domain/text-template';
import { ImportMappingSchema } from '../../../shared/features/import/mapping';
import type { InputMapping } from '../../../shared/features/models/contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { readRegularText } from '../../io/safe-open';

type TextMapping = Extract<InputMapping, { kind: 'text' | 'tokens' }>;

export interface TextInputRequest {
  inputTemplate?: string | null | undefined;
  inputPair?: string[] | null | undefined;
}

/** The example fields a template can name: the text, and every text part and metadata field imported. */
export function projectTextFields(ctx: Context, project: Project): string[] {
  const fields = new Set<string>(['text']);
  for (const run of ctx.store.importRuns.forProject(project.id)) {
    if (run.status !== 'done') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(run.mapping);
    } catch {
      continue;
    }
    const parsed = ImportMappingSchema.safeParse(raw);
    if (!parsed.success) continue; // a rescore's run records the model's mappings, not a log's
    const m = parsed.data;
    if (m.textTemplate) for (const f of parseTemplate(m.textTemplate).fields) fields.add(f);
    for (const f of m.metadata) fields.add(f);
  }
  return [...fields];
}

function parsed(source: string, what: string): TextTemplate {
  try {
    return parseTemplate(source);
  } catch (e) {
    throw new ApiError('bad-mapping', `${what}: ${(e as Error).message}`);
  }
}

/**
 * The mapping with the requested template or pair: undefined keeps what the mapping has, null
 * clears it. Refuses fields the project lacks, a pair that is not two, and a pair for a model
 * without a tokenizer.
 */
export function withTextInput(
  ctx: Context,
  project: Project,
  mapping: InputMapping,
  req: TextInputRequest,
  what: string,
): InputMapping {
  const { inputTemplate, inputPair } = req;
  if (inputTemplate === undefined && inputPair === undefined) return mapping;
  if (inputTemplate && inputPair) {
    throw new ApiError('bad-mapping', `${what}: give an input template or an input pair, not both`);
  }
  if (mapping.kind === 'features') {
    throw new ApiError(
      'bad-mapping',
      `${what} reads the project's feature vectors: an input template or pair is for models that read text`,
    );
  }
  const next: TextMapping = { ...mapping };
  if (inputPair !== undefined) delete next.pair;
  if (inputTemplate !== undefined) delete next.template;
  if (inputPair) {
    if (mapping.kind !== 'tokens') {
      throw new ApiError(
        'bad-mapping',
        `${what} takes one string input: a text pair is for a Hugging Face folder (model.onnx with tokenizer.json)`,
      );
    }
    if (inputPair.length !== 2) {
      throw new ApiError(
        'bad-mapping',
        `${what}: a text pair takes two fields, the first and the second text (e.g. query,document); got ${inputPair.length}: ${inputPair.join(', ')}`,
      );
    }
    next.pair = [asTemplate(inputPair[0]!), asTemplate(inputPair[1]!)];
    delete next.template;
  }
  if (inputTemplate) {
    next.template = inputTemplate;
    delete next.pair;
  }
  const sources = next.pair ?? (next.template ? [next.template] : []);
  if (sources.length > 0) {
    const available = projectTextFields(ctx, project);
    const have = new Set(available);
    const missing = [...new Set(sources.flatMap((s) => parsed(s, what).fields))].filter((f) => !have.has(f));
    if (missing.length > 0) {
      throw new ApiError(
        'bad-mapping',
        `${what}: the input ${next.pair ? 'pair' : 'template'} names ${missing.map((f) => `'${f}'`).join(', ')}, ` +
          `which project '${project.name}' does not have; its examples have: ${available.join(', ')}`,
      );
    }
  }
  return next;
}

/** Refuses a pair for a tokenizer whose post-processor does not say how a pair is joined. */
export function checkPairTokenizer(mapping: InputMapping, tokenizerJson: string, what: string): void {
  if (mapping.kind !== 'tokens' || !mapping.pair) return;
  const json = JSON.parse(readRegularText(tokenizerJson, 'tokenizer file')) as Record<string, unknown>;
  const post = json['post_processor'] as { type?: string; pair?: unknown } | null | undefined;
  if (!post || (post.type === 'TemplateProcessing' && !post.pair)) {
    throw new ApiError(
      'bad-mapping',
      `${what}: its tokenizer.json has no post-processor template for a pair of texts, so it was not made to read pairs; give one input template instead`,
    );
  }
}

/**
 * Refuses a template whose fixed text (the template with every field empty, and the tokenizer's
 * special tokens) leaves no room in the model's maximum length. Counted by the JavaScript port of
 * the same tokenizer.json, untruncated.
 */
export function checkFixedLength(mapping: InputMapping, tokenizerJson: string, what: string): void {
  if (mapping.kind !== 'tokens' || (!mapping.template && !mapping.pair)) return;
  const json = JSON.parse(readRegularText(tokenizerJson, 'tokenizer file')) as Record<string, unknown>;
  const tok = new JsTokenizer({ ...json, truncation: null, padding: null } as never, {} as never);
  const plain = (text: string) => (text === '' ? 0 : tok.encode(text, { add_special_tokens: false }).ids.length);
  const empty = (source: string) => renderTemplate(parseTemplate(source), () => '');
  let fixed: number;
  if (mapping.pair) {
    // The port drops an empty second text: the pair's special tokens are counted on a probe pair.
    const specials = tok.encode('a', { text_pair: 'a' }).ids.length - 2 * plain('a');
    fixed = plain(empty(mapping.pair[0])) + plain(empty(mapping.pair[1])) + specials;
  } else fixed = tok.encode(empty(mapping.template!)).ids.length;
  if (fixed >= mapping.maxLength) {
    throw new ApiError(
      'bad-mapping',
      `${what}: the input ${mapping.pair ? 'pair' : 'template'}'s fixed text takes ${fixed} tokens (special tokens included) ` +
        `but the model reads at most ${mapping.maxLength}: no room is left for the fields; shorten the template or raise maxLength`,
    );
  }
}

/** An example as a template reads it. */
export interface TemplateRow {
  text: string | null;
  text_parts?: string | null;
  metadata?: string | null;
}

/**
 * The text (or pair of texts) each example gives the model; null for an example lacking a field
 * the template names (it is passed over, as an example without text is).
 */
export function textsOf(mapping: TextMapping): (row: TemplateRow) => string[] | null {
  const sources = mapping.pair ?? (mapping.template ? [mapping.template] : null);
  if (!sources) return (row) => (row.text === null ? null : [row.text]);
  const templates = sources.map((s) => parseTemplate(s));
  return (row) => {
    const values = new Map<string, string>();
    if (row.metadata) {
      for (const [k, v] of Object.entries(JSON.parse(row.metadata) as Record<string, unknown>)) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') values.set(k, String(v));
      }
    }
    if (row.text_parts) for (const [k, v] of JSON.parse(row.text_parts) as TextParts) values.set(k, v);
    if (row.text !== null) values.set('text', row.text);
    let complete = true;
    const texts = templates.map((t) =>
      renderTemplate(t, (f) => {
        const v = values.get(f);
        if (v === undefined) complete = false;
        return v;
      }),
    );
    return complete ? texts : null;
  };
}
