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
export function bertTokenizerJson(extraVocab: readonly string[] = []): Record<string, unknown> {
  const vocab = Object.fromEntries([...SPECIAL, ...WORDS, ...extraVocab].map((t, i) => [t, i]));
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

/**
 * A BERT-shaped encoder classifier, for timing: token embeddings → `layers` × (single-head
 * self-attention masked by attention_mask, residual; feed-forward of 4 × hidden with ReLU,
 * residual) → masked mean pooling → linear → logits. What a fine-tuned encoder costs per token,
 * less layer norm and position embeddings (the same work, give or take).
 */
export function bertEncoderModel(opts: {
  classes: number;
  layers: number;
  hidden: number;
  vocabSize: number;
  /** 'last_hidden_state': a sentence encoder, ending at the token states [batch, sequence, hidden]. */
  output?: 'logits' | 'last_hidden_state';
}): Buffer {
  const { classes, layers, hidden, vocabSize } = opts;
  const ffn = hidden * 4;
  const next = mulberry32(33);
  const rand = (n: number, scale: number) =>
    Float32Array.from({ length: n }, () => ((next() / 2 ** 32) * 2 - 1) * scale);
  const scalar = (name: string, v: number) => ({ name, dims: [] as number[], values: Float32Array.of(v) });
  const nodes: Parameters<typeof onnxModel>[0]['nodes'] = [
    { op: 'Gather', inputs: ['embeddings', 'input_ids'], outputs: ['x0'], intAttrs: { axis: 0 } },
    { op: 'Cast', inputs: ['attention_mask'], outputs: ['mask'], intAttrs: { to: FLOAT } },
    { op: 'Unsqueeze', inputs: ['mask'], outputs: ['mask3'], intsAttrs: { axes: [2] } },
    { op: 'Unsqueeze', inputs: ['mask'], outputs: ['keyMask'], intsAttrs: { axes: [1] } },
    // 0 where a key is a token, -10000 where it is padding: added to the attention scores.
    { op: 'Sub', inputs: ['one', 'keyMask'], outputs: ['padKeys'] },
    { op: 'Mul', inputs: ['padKeys', 'minusBig'], outputs: ['keyBias'] },
  ];
  const initializers: Parameters<typeof onnxModel>[0]['initializers'] = [
    { name: 'embeddings', dims: [vocabSize, hidden], values: rand(vocabSize * hidden, 1) },
    scalar('one', 1),
    scalar('minusBig', -10000),
    scalar('scale', 1 / Math.sqrt(hidden)),
  ];
  const w = 1 / Math.sqrt(hidden);
  for (let l = 0; l < layers; l++) {
    const x = `x${l}`;
    const p = (name: string) => `l${l}_${name}`;
    for (const m of ['q', 'k', 'v', 'o']) {
      initializers.push({ name: p(`W${m}`), dims: [hidden, hidden], values: rand(hidden * hidden, w) });
    }
    initializers.push(
      { name: p('W1'), dims: [hidden, ffn], values: rand(hidden * ffn, w) },
      { name: p('b1'), dims: [ffn], values: rand(ffn, 0.1) },
      { name: p('W2'), dims: [ffn, hidden], values: rand(ffn * hidden, 1 / Math.sqrt(ffn)) },
    );
    nodes.push(
      { op: 'MatMul', inputs: [x, p('Wq')], outputs: [p('q')] },
      { op: 'MatMul', inputs: [x, p('Wk')], outputs: [p('k')] },
      { op: 'MatMul', inputs: [x, p('Wv')], outputs: [p('v')] },
      { op: 'Transpose', inputs: [p('k')], outputs: [p('kt')], intsAttrs: { perm: [0, 2, 1] } },
      { op: 'MatMul', inputs: [p('q'), p('kt')], outputs: [p('qk')] },
      { op: 'Mul', inputs: [p('qk'), 'scale'], outputs: [p('scaled')] },
      { op: 'Add', inputs: [p('scaled'), 'keyBias'], outputs: [p('biased')] },
      { op: 'Softmax', inputs: [p('biased')], outputs: [p('attn')], intAttrs: { axis: 2 } },
      { op: 'MatMul', inputs: [p('attn'), p('v')], outputs: [p('ctx')] },
      { op: 'MatMul', inputs: [p('ctx'), p('Wo')], outputs: [p('o')] },
      { op: 'Add', inputs: [x, p('o')], outputs: [p('r1')] },
      { op: 'MatMul', inputs: [p('r1'), p('W1')], outputs: [p('h1')] },
      { op: 'Add', inputs: [p('h1'), p('b1')], outputs: [p('h2')] },
      { op: 'Relu', inputs: [p('h2')], outputs: [p('h3')] },
      { op: 'MatMul', inputs: [p('h3'), p('W2')], outputs: [p('f')] },
      { op: 'Add', inputs: [p('r1'), p('f')], outputs: [`x${l + 1}`] },
    );
  }
  if (opts.output === 'last_hidden_state') {
    nodes.push({ op: 'Identity', inputs: [`x${layers}`], outputs: ['last_hidden_state'] });
    return onnxModel({
      name: 'bert-shaped-sentence-encoder',
      opset: 11,
      nodes,
      initializers,
      inputs: [
        { name: 'input_ids', elemType: INT64, shape: ['batch', 'sequence'] },
        { name: 'attention_mask', elemType: INT64, shape: ['batch', 'sequence'] },
      ],
      outputs: [{ name: 'last_hidden_state', elemType: FLOAT, shape: ['batch', 'sequence', hidden] }],
    });
  }
  nodes.push(
    { op: 'Mul', inputs: [`x${layers}`, 'mask3'], outputs: ['masked'] },
    { op: 'ReduceSum', inputs: ['masked'], outputs: ['summed'], intsAttrs: { axes: [1] }, intAttrs: { keepdims: 0 } },
    { op: 'ReduceSum', inputs: ['mask'], outputs: ['count'], intsAttrs: { axes: [1] }, intAttrs: { keepdims: 1 } },
    { op: 'Div', inputs: ['summed', 'count'], outputs: ['pooled'] },
    { op: 'MatMul', inputs: ['pooled', 'classifier'], outputs: ['mm'] },
    { op: 'Add', inputs: ['mm', 'bias'], outputs: ['logits'] },
  );
  initializers.push(
    { name: 'classifier', dims: [hidden, classes], values: rand(hidden * classes, 0.3) },
    { name: 'bias', dims: [classes], values: new Float32Array(classes) },
  );
  return onnxModel({
    name: 'bert-shaped-encoder',
    opset: 11,
    nodes,
    initializers,
    inputs: [
      { name: 'input_ids', elemType: INT64, shape: ['batch', 'sequence'] },
      { name: 'attention_mask', elemType: INT64, shape: ['batch', 'sequence'] },
    ],
    outputs: [{ name: 'logits', elemType: FLOAT, shape: ['batch', classes] }],
  });
}

/** The fixture tokenizer's vocabulary size with `extraVocab` added. */
export function bertVocabSize(extraVocab: readonly string[] = []): number {
  return SPECIAL.length + WORDS.length + extraVocab.length;
}
