import { useState } from 'react';
import type { RegisteredModel } from '../../../shared/features/models/contract';
import { useWorkbench } from '../store/workbench';

export function inputSummary(m: RegisteredModel): string {
  const i = m.inputMapping;
  if (i.kind === 'tokens') return `text → tokenizer (≤ ${i.maxLength} tokens)`;
  return `${i.input} ← ${i.kind === 'text' ? 'text' : `${i.dim} features`}`;
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
            outputKind: kind,
            ...(tokens ? { maxLength } : { input }),
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
