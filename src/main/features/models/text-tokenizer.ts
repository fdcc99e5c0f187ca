// The Hugging Face tokenizer a folder model's text goes through, in the model process: the
// official Rust library (npm `tokenizers`) where its native build loads, else the pure-JavaScript
// port. Either way tokenizer.json's normalizer, pre-tokenizer, post-processor, truncation and
// padding apply as in Python, with the mapping's maxLength as the truncation length.
import { readRegularText } from '../../io/safe-open';
import { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';
import type { TokenizerSpec } from './model-protocol';

/** Every text's ids, attention mask and token type ids, padded to one width. */
export interface Encoded {
  ids: number[][];
  mask: number[][];
  typeIds: number[][];
}

/** How rows are padded to a batch's width (tokenizer.json's padding, else the config's side). */
export interface Padding {
  left: boolean;
  id: number;
  typeId: number;
  fixedLength: number | null;
  multipleOf: number | null;
}

/** Every text's ids and type ids, truncated but not padded. */
export interface Unpadded {
  ids: number[][];
  typeIds: number[][];
}

export interface TextTokenizer {
  /** Which library tokenizes, for the model's status. */
  name: string;
  padding: Padding;
  /** `pairs`: a second text for each, encoded with it as a pair per the post-processor's pair template. */
  encode(texts: string[], pairs?: string[]): Promise<Encoded>;
  /** As `encode`, without the padding (the rescoring pipeline pads each length bucket itself). */
  encodeUnpadded(texts: string[], pairs?: string[]): Promise<Unpadded>;
}

function paddingOf(s: Settings): Padding {
  return { left: s.padLeft, id: s.padId, typeId: s.padTypeId, fixedLength: s.fixedLength, multipleOf: s.multipleOf };
}

interface TruncationJson {
  strategy?: string;
  stride?: number;
  direction?: string;
}
interface PaddingJson {
  strategy?: string | { Fixed?: number };
  direction?: string;
  pad_to_multiple_of?: number | null;
  pad_id?: number;
  pad_type_id?: number;
  pad_token?: string;
}

/** The settings tokenizer.json and tokenizer_config.json give (transformers' names where both do). */
interface Settings {
  maxLength: number;
  strategy: 'LongestFirst' | 'OnlyFirst' | 'OnlySecond';
  stride: number;
  truncateLeft: boolean;
  padLeft: boolean;
  padId: number;
  padTypeId: number;
  padToken: string | null;
  fixedLength: number | null;
  multipleOf: number | null;
}

type NativeModule = typeof import('tokenizers');

function readSettings(spec: TokenizerSpec, json: Record<string, unknown>, config: Record<string, unknown>): Settings {
  const truncation = (json['truncation'] ?? null) as TruncationJson | null;
  const padding = (json['padding'] ?? null) as PaddingJson | null;
  const vocabOf = (token: string | null) => {
    if (!token) return null;
    const added = (json['added_tokens'] as { id: number; content: string }[] | undefined)?.find(
      (t) => t.content === token,
    );
    const vocab = (json['model'] as { vocab?: unknown } | undefined)?.vocab;
    const inVocab = vocab && !Array.isArray(vocab) ? (vocab as Record<string, number>)[token] : undefined;
    return added?.id ?? inVocab ?? null;
  };
  const configPad = typeof config['pad_token'] === 'string' ? config['pad_token'] : null;
  const padToken = padding?.pad_token ?? configPad;
  const strategy = truncation?.strategy;
  const side = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : null);
  const fixed = typeof padding?.strategy === 'object' ? (padding.strategy.Fixed ?? null) : null;
  return {
    maxLength: spec.maxLength,
    strategy: strategy === 'OnlyFirst' || strategy === 'OnlySecond' ? strategy : 'LongestFirst',
    stride: truncation?.stride ?? 0,
    truncateLeft: (side(truncation?.direction) ?? side(config['truncation_side'])) === 'left',
    padLeft: (side(padding?.direction) ?? side(config['padding_side'])) === 'left',
    padId: padding?.pad_id ?? vocabOf(padToken) ?? 0,
    padTypeId: padding?.pad_type_id ?? 0,
    padToken,
    fixedLength: fixed,
    multipleOf: padding?.pad_to_multiple_of ?? null,
  };
}

/** Unpadded encodings padded to one width as tokenizer.json's padding says. */
function padded(encoded: { ids: number[]; typeIds: number[] }[], s: Settings): Encoded {
  let width = s.fixedLength ?? Math.max(0, ...encoded.map((e) => e.ids.length));
  if (s.multipleOf) width = Math.ceil(width / s.multipleOf) * s.multipleOf;
  const pad = <T>(v: T[], fill: T) => {
    const extra = Array<T>(Math.max(0, width - v.length)).fill(fill);
    return s.padLeft ? [...extra, ...v] : [...v, ...extra];
  };
  return {
    ids: encoded.map((e) => pad(e.ids, s.padId)),
    mask: encoded.map((e) => pad(Array<number>(e.ids.length).fill(1), 0)),
    typeIds: encoded.map((e) => pad(e.typeIds, s.padTypeId)),
  };
}

function nativeTokenizer(native: NativeModule, version: string, spec: TokenizerSpec, s: Settings): TextTokenizer {
  // The native library opens the path itself: make sure it is a regular file first (a FIFO would block).
  readRegularText(spec.tokenizerJson, 'tokenizer file');
  const truncate = (t: InstanceType<NativeModule['Tokenizer']>) =>
    t.setTruncation(s.maxLength, {
      strategy: s.strategy as never,
      stride: s.stride,
      direction: s.truncateLeft ? 'left' : 'right',
    });
  const tok = native.Tokenizer.fromFile(spec.tokenizerJson);
  truncate(tok);
  // This binding's encodeBatch takes single texts only: pairs are encoded one by one (truncated
  // by the library as a pair), then padded here as the batch would be.
  let pairTok: InstanceType<NativeModule['Tokenizer']> | null = null;
  const unpairedTok = native.Tokenizer.fromFile(spec.tokenizerJson);
  truncate(unpairedTok);
  unpairedTok.disablePadding();
  const unpadded = async (texts: string[], pairs?: string[]) => {
    if (pairs) {
      if (!pairTok) {
        pairTok = native.Tokenizer.fromFile(spec.tokenizerJson);
        truncate(pairTok);
        pairTok.disablePadding();
      }
      const one = pairTok;
      const encodings = await Promise.all(texts.map((t, i) => one.encode(t, pairs[i]!)));
      return encodings.map((e) => ({ ids: e.getIds(), typeIds: e.getTypeIds() }));
    }
    const encodings = await unpairedTok.encodeBatch(texts);
    return encodings.map((e) => ({ ids: e.getIds(), typeIds: e.getTypeIds() }));
  };
  tok.setPadding({
    padId: s.padId,
    padTypeId: s.padTypeId,
    ...(s.padToken ? { padToken: s.padToken } : {}),
    direction: s.padLeft ? 'left' : 'right',
    ...(s.fixedLength ? { maxLength: s.fixedLength } : {}),
    ...(s.multipleOf ? { padToMultipleOf: s.multipleOf } : {}),
  });
  return {
    name: `Hugging Face tokenizers ${version} (Rust)`,
    padding: paddingOf(s),
    async encodeUnpadded(texts, pairs) {
      const encoded = await unpadded(texts, pairs);
      return { ids: encoded.map((e) => e.ids), typeIds: encoded.map((e) => e.typeIds) };
    },
    async encode(texts, pairs) {
      if (pairs) return padded(await unpadded(texts, pairs), s);
      const encodings = await tok.encodeBatch(texts);
      return {
        ids: encodings.map((e) => e.getIds()),
        mask: encodings.map((e) => e.getAttentionMask()),
        typeIds: encodings.map((e) => e.getTypeIds()),
      };
    },
  };
}

/** Where `part` sits inside `whole` (the text's tokens between the post-processor's specials). */
function offsetOf(whole: number[], part: number[]): number {
  for (let at = 0; at + part.length <= whole.length; at++) {
    if (part.every((v, i) => whole[at + i] === v)) return at;
  }
  return -1;
}

/**
 * The pure-JavaScript port encodes without truncation: the text's own tokens are cut to what fits
 * beside the post-processor's special tokens (as the Rust library does for one sequence), then
 * padded.
 */
function javascriptTokenizer(
  json: Record<string, unknown>,
  config: Record<string, unknown>,
  s: Settings,
  why: string,
): TextTokenizer {
  // Its own truncation and padding settings would be applied on top of ours: drop them.
  const tok = new JsTokenizer({ ...json, truncation: null, padding: null } as never, config as never);
  const encodeOne = (text: string) => {
    const full = tok.encode(text, { return_token_type_ids: true });
    if (full.ids.length <= s.maxLength) {
      return { ids: full.ids, typeIds: full.token_type_ids };
    }
    const body = tok.encode(text, { add_special_tokens: false }).ids;
    const at = offsetOf(full.ids, body);
    if (at < 0) throw new Error('the post-processor changes the text tokens; the Rust tokenizer is needed to truncate');
    const specials = full.ids.length - body.length;
    const keep = Math.max(0, s.maxLength - specials);
    const [from, to] = s.truncateLeft ? [at + body.length - keep, at + body.length] : [at, at + keep];
    const pick = <T>(v: T[]) => [...v.slice(0, at), ...v.slice(from, to), ...v.slice(at + body.length)];
    return { ids: pick(full.ids), typeIds: pick(full.token_type_ids) };
  };
  // Pairs are encoded whole; cutting a pair to length is left to the Rust library.
  const encodePair = (text: string, pair: string) => {
    if (pair === '')
      throw new Error(
        'the JavaScript tokenizer reads an empty second text as no pair: the Rust tokenizers library is needed',
      );
    const full = tok.encode(text, { text_pair: pair, return_token_type_ids: true });
    if (full.ids.length > s.maxLength) {
      throw new Error(
        `a text pair of ${full.ids.length} tokens is longer than the model's ${s.maxLength}: the Rust tokenizers library is needed to truncate pairs`,
      );
    }
    return { ids: full.ids, typeIds: full.token_type_ids };
  };
  return {
    name: `@huggingface/tokenizers (JavaScript; ${why})`,
    padding: paddingOf(s),
    encodeUnpadded(texts, pairs) {
      const encoded = pairs ? texts.map((t, i) => encodePair(t, pairs[i]!)) : texts.map(encodeOne);
      return Promise.resolve({ ids: encoded.map((e) => e.ids), typeIds: encoded.map((e) => e.typeIds) });
    },
    encode(texts, pairs) {
      const encoded = pairs ? texts.map((t, i) => encodePair(t, pairs[i]!)) : texts.map(encodeOne);
      return Promise.resolve(padded(encoded, s));
    },
  };
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e)
    .split('\n')[0]!
    .slice(0, 200);
}

/**
 * Loads the folder's tokenizer. FLYWHEEL_TOKENIZER=javascript skips the Rust library (a way round
 * a native build that misbehaves on some machine).
 */
export function loadTokenizer(spec: TokenizerSpec, requireNative: NodeJS.Require): TextTokenizer {
  const json = JSON.parse(readRegularText(spec.tokenizerJson, 'tokenizer file')) as Record<string, unknown>;
  const config = spec.tokenizerConfig
    ? (JSON.parse(readRegularText(spec.tokenizerConfig, 'tokenizer file')) as Record<string, unknown>)
    : {};
  const settings = readSettings(spec, json, config);
  if (process.env['FLYWHEEL_TOKENIZER'] === 'javascript') {
    return javascriptTokenizer(json, config, settings, 'FLYWHEEL_TOKENIZER=javascript');
  }
  let native: NativeModule;
  let version = '';
  try {
    native = requireNative('tokenizers') as NativeModule;
  } catch (e) {
    return javascriptTokenizer(json, config, settings, `the Rust tokenizers did not load: ${firstLine(e)}`);
  }
  try {
    version = (requireNative('tokenizers/package.json') as { version: string }).version;
  } catch {
    // the version only labels the status line
  }
  return nativeTokenizer(native, version, spec, settings);
}
