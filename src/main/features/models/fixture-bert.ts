import { mulberry32 } from '../../../shared/features/mining';
import { FLOAT, INT64, onnxModel } from './onnx-writer';

const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'];
const WORDS = [
  'love',
  'excellent',
  'great',
  'impressive',
  'lovely',
  'best',
  'perfect',
  'recommend',
  'happy',
  'worth',
  'broken',
  'terrible',
  'worst',
  'refund',
  'disappointed',
  'returned',
  'poor',
  'waste',
  'awful',
  'never',
  'okay',
  'fine',
  'average',
  'expected',
  'decent',
  'remarkable',
  'nothing',
  'ordinary',
  'the',
  'it',
  'and',
  'is',
  'was',
  'a',
  'this',
  'not',
  'but',
  '##s',
  '##ed',
  '##ly',
  // What the normalizer makes of accented and CJK text: accents stripped, each CJK character a word.
  'cafe',
  'naive',
  'tres',
  'bien',
  '中',
  '文',
  '很',
  '好',
  '!',
  '.',
  ',',
];

/** The longest sequence the fixture model takes (as bert-base's 512, only smaller to test cheaply). */
export const BERT_MAX_LENGTH = 128;

/**
 * A WordPiece tokenizer.json (BERT-style: lower-cased, [CLS] … [SEP]) over a small vocabulary, as
 * transformers saves one: truncation to the model's length and a TemplateProcessing post-processor.
 */
export function bertTokenizerJson(): Record<string, unknown> {
  const vocab = Object.fromEntries([...SPECIAL, ...WORDS].map((t, i) => [t, i]));
  const special = (content: string) => ({
    id: vocab[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const tok = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  return {
    version: '1.0',
    truncation: { direction: 'Right', max_length: BERT_MAX_LENGTH, strategy: 'LongestFirst', stride: 0 },
    padding: null,
    added_tokens: SPECIAL.map(special),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [tok('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, tok('[SEP]')],
      pair: [
        tok('[CLS]'),
        { Sequence: { id: 'A', type_id: 0 } },
        tok('[SEP]'),
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

export function bertTokenizerConfig(): Record<string, unknown> {
  return {
    model_max_length: BERT_MAX_LENGTH,
    do_lower_case: true,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    tokenizer_class: 'BertTokenizer',
  };
}

/** config.json as transformers writes it for a sequence classifier with these labels. */
export function bertConfig(labels: string[] | null): Record<string, unknown> {
  return {
    _name_or_path: 'acme/tiny-bert-reviews',
    architectures: ['BertForSequenceClassification'],
    model_type: 'bert',
    max_position_embeddings: 512,
    ...(labels
      ? {
          id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
          label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
        }
      : {}),
    transformers_version: '4.46.0',
  };
}

/**
 * A tiny BERT-shaped classifier: input_ids and attention_mask (int64 [batch, seq]) → token
 * embeddings → masked mean pooling → linear → logits. What a fine-tuned encoder exports to, minus
 * the attention layers, so it runs in milliseconds.
 */
export function tinyBertModel(classes: number, opts: { tokenTypeIds?: boolean; hidden?: number } = {}): Buffer {
  const hidden = opts.hidden ?? 16;
  const vocabSize = SPECIAL.length + WORDS.length;
  const next = mulberry32(21);
  const rand = (n: number, scale: number) =>
    Float32Array.from({ length: n }, () => ((next() / 2 ** 32) * 2 - 1) * scale);
  // With token_type_ids, each position adds its segment's embedding (as BERT does).
  const segments = opts.tokenTypeIds
    ? {
        nodes: [
          { op: 'Gather', inputs: ['embeddings', 'input_ids'], outputs: ['words'], intAttrs: { axis: 0 } },
          { op: 'Gather', inputs: ['segment_embeddings', 'token_type_ids'], outputs: ['segs'], intAttrs: { axis: 0 } },
          { op: 'Add', inputs: ['words', 'segs'], outputs: ['tokens'] },
        ],
        initializers: [{ name: 'segment_embeddings', dims: [2, hidden], values: rand(2 * hidden, 1) }],
        inputs: [{ name: 'token_type_ids', elemType: INT64, shape: ['batch', 'sequence'] }],
      }
    : {
        nodes: [{ op: 'Gather', inputs: ['embeddings', 'input_ids'], outputs: ['tokens'], intAttrs: { axis: 0 } }],
        initializers: [],
        inputs: [],
      };
  return onnxModel({
    name: 'tiny-bert',
    opset: 11,
    nodes: [
      ...segments.nodes,
      { op: 'Cast', inputs: ['attention_mask'], outputs: ['mask'], intAttrs: { to: FLOAT } },
      { op: 'Unsqueeze', inputs: ['mask'], outputs: ['mask3'], intsAttrs: { axes: [2] } },
      { op: 'Mul', inputs: ['tokens', 'mask3'], outputs: ['masked'] },
      { op: 'ReduceSum', inputs: ['masked'], outputs: ['summed'], intsAttrs: { axes: [1] }, intAttrs: { keepdims: 0 } },
      { op: 'ReduceSum', inputs: ['mask'], outputs: ['count'], intsAttrs: { axes: [1] }, intAttrs: { keepdims: 1 } },
      { op: 'Div', inputs: ['summed', 'count'], outputs: ['pooled'] },
      { op: 'MatMul', inputs: ['pooled', 'classifier'], outputs: ['mm'] },
      { op: 'Add', inputs: ['mm', 'bias'], outputs: ['logits'] },
    ],
    initializers: [
      { name: 'embeddings', dims: [vocabSize, hidden], values: rand(vocabSize * hidden, 1) },
      { name: 'classifier', dims: [hidden, classes], values: rand(hidden * classes, 1) },
      { name: 'bias', dims: [classes], values: new Float32Array(classes) },
      ...segments.initializers,
    ],
    inputs: [
      { name: 'input_ids', elemType: INT64, shape: ['batch', 'sequence'] },
      { name: 'attention_mask', elemType: INT64, shape: ['batch', 'sequence'] },
      ...segments.inputs,
    ],
    outputs: [{ name: 'logits', elemType: FLOAT, shape: ['batch', classes] }],
  });
}
