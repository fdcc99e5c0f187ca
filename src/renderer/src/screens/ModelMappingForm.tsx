import { useState } from 'react';
import type { RegisteredModel } from '../../../shared/features/models/contract';
import { useWorkbench } from '../store/workbench';
import { HintedField } from '../components/Tip';

export function inputSummary(m: RegisteredModel): string {
  const i = m.inputMapping;
  if (i.kind === 'features') return `${i.input} ← ${i.dim} features`;
  const text = i.pair ? `pair ${i.pair[0]} · ${i.pair[1]}` : i.template ? JSON.stringify(i.template) : 'text';
  if (i.kind === 'tokens') return `${text} → tokenizer (≤ ${i.maxLength} tokens)`;
  return `${i.input} ← ${text}`;
}

/** The text a model reads, as models.update takes it: a template, a pair, or (both empty) the text. */
function textInput(template: string, first: string, second: string, hadPair: boolean) {
  const pair = [first.trim(), second.trim()].filter((s) => s.length > 0);
  if (pair.length > 0) return { inputPair: pair };
  return { inputTemplate: template.trim() ? template : null, ...(hadPair ? { inputPair: null } : {}) };
}

/** A registered model's mappings, editable; the workbench checks them against the graph on save. */
export function ModelMappingForm({
  model,
  projectId,
  onSaved,
  act,
}: {
  model: RegisteredModel;
  projectId: number;
  onSaved: () => Promise<void>;
  act: (fn: () => Promise<void>) => Promise<void>;
}) {
  const client = useWorkbench((s) => s.client);
  const tokens = model.inputMapping.kind === 'tokens';
  const [input, setInput] = useState(model.inputMapping.kind === 'tokens' ? '' : model.inputMapping.input);
  const [maxLength, setMaxLength] = useState(model.inputMapping.kind === 'tokens' ? model.inputMapping.maxLength : 0);
  const [output, setOutput] = useState(model.outputMapping.output);
  const [kind, setKind] = useState(model.outputMapping.kind);
  const mapping = model.inputMapping;
  const readsText = mapping.kind !== 'features';
  const [template, setTemplate] = useState(mapping.kind !== 'features' ? (mapping.template ?? '') : '');
  const [first, setFirst] = useState(mapping.kind === 'tokens' ? (mapping.pair?.[0] ?? '') : '');
  const [second, setSecond] = useState(mapping.kind === 'tokens' ? (mapping.pair?.[1] ?? '') : '');
  if (!client) return null;
  return (
    <form
      className="mine-form"
      aria-label={`Mappings of ${model.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        void act(async () => {
          await client.call('models.update', {
            project: { projectId },
            model: model.id,
            output,
            ...(kind !== 'embedding' ? { outputKind: kind } : {}),
            ...(tokens ? { maxLength } : { input }),
            ...(readsText ? textInput(template, first, second, mapping.kind === 'tokens' && !!mapping.pair) : {}),
          });
          await onSaved();
        });
      }}
    >
      {tokens ? (
        <label>
          Max tokens
          <input
            type="number"
            min={2}
            max={8192}
            value={maxLength}
            onChange={(e) => setMaxLength(Number(e.target.value))}
          />
        </label>
      ) : (
        <label>
          Graph input ({inputSummary(model)})
          <input value={input} onChange={(e) => setInput(e.target.value)} />
        </label>
      )}
      {readsText && (
        <HintedField
          about="the input template"
          hint="The text the model reads, from the example's text, text parts and metadata, as {subject} and {body}; empty: the example's text"
        >
          <label>
            Input template
            <textarea rows={2} value={template} placeholder="{text}" onChange={(e) => setTemplate(e.target.value)} />
          </label>
        </HintedField>
      )}
      {tokens && (
        <>
          <HintedField about="text pairs" hint="A text pair, as a query and a document: field names or templates">
            <label>
              Pair: first text
              <input value={first} placeholder="{query}" onChange={(e) => setFirst(e.target.value)} />
            </label>
          </HintedField>
          <label>
            Pair: second text
            <input value={second} placeholder="{document}" onChange={(e) => setSecond(e.target.value)} />
          </label>
        </>
      )}
      <label>
        Graph output
        <input value={output} onChange={(e) => setOutput(e.target.value)} />
      </label>
      <label>
        Output holds
        <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
          <option value="probabilities">probabilities</option>
          <option value="logits">logits (softmax / sigmoid applied)</option>
        </select>
      </label>
      <button type="submit">Save mappings</button>
    </form>
  );
}
