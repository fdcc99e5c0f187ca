import { useEffect, useState } from 'react';
import { ImportMappingSchema, type ImportMapping } from '../../../shared/features/import/mapping';
import { HintedField } from '../components/Tip';

const NONE = '';

function FieldSelect({
  label,
  fields,
  value,
  onChange,
  optional = true,
}: {
  label: string;
  fields: string[];
  value: string | undefined;
  onChange: (v: string | undefined) => void;
  optional?: boolean;
}) {
  return (
    <label>
      {label}
      <select value={value ?? NONE} onChange={(e) => onChange(e.target.value === NONE ? undefined : e.target.value)}>
        {optional && <option value={NONE}>(none)</option>}
        {fields.map((f) => (
          <option key={f} value={f}>
            {f}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A copy with one key set, or dropped when undefined, so the mapping stays what the schema expects. */
function assign<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): T {
  const next = { ...obj };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

/** Where the model's name (or version) comes from: a field of each row, or one fixed value. */
function ModelPart({
  part,
  fields,
  model,
  onChange,
}: {
  part: 'name' | 'version';
  fields: string[];
  model: ImportMapping['model'];
  onChange: (m: ImportMapping['model']) => void;
}) {
  const field = part === 'name' ? 'nameField' : 'versionField';
  return (
    <>
      <FieldSelect
        label={`Model ${part} from field`}
        fields={fields}
        value={model[field]}
        onChange={(v) => onChange(assign(model, field, v))}
      />
      <label>
        or model {part}
        <input value={model[part] ?? ''} onChange={(e) => onChange(assign(model, part, e.target.value || undefined))} />
      </label>
    </>
  );
}

/** The guessed mapping, field by field, and all of it as JSON for what the fields do not cover. */
export function MappingEditor({
  mapping,
  fields,
  onChange,
}: {
  mapping: ImportMapping;
  fields: string[];
  onChange: (m: ImportMapping) => void;
}) {
  const [json, setJson] = useState(() => JSON.stringify(mapping, null, 2));
  const [jsonError, setJsonError] = useState<string | null>(null);
  useEffect(() => setJson(JSON.stringify(mapping, null, 2)), [mapping]);
  const set = <K extends keyof ImportMapping>(key: K, value: ImportMapping[K] | undefined) =>
    onChange(assign(mapping, key, value));
  return (
    <section aria-label="Mapping" className="card">
      <h2>Mapping</h2>
      <div className="mapping-grid">
        <FieldSelect
          label="Example id"
          fields={fields}
          value={mapping.id}
          optional={false}
          onChange={(v) => set('id', v!)}
        />
        <label>
          Input
          <select
            value={mapping.inputKind}
            onChange={(e) => set('inputKind', e.target.value as ImportMapping['inputKind'])}
          >
            <option value="text">text</option>
            <option value="tabular">features (tabular)</option>
            <option value="image">image path</option>
          </select>
        </label>
        {mapping.inputKind === 'text' && (
          <>
            <FieldSelect
              label="Text"
              fields={fields}
              value={mapping.text}
              onChange={(v) => onChange(assign(assign(mapping, 'textTemplate', undefined), 'text', v))}
            />
            <HintedField
              about="the text template"
              hint="The text from several fields, as {subject} then a new line then {body}; each field is shown apart in Review"
            >
              <label>
                or text template
                <textarea
                  rows={2}
                  placeholder={'{subject}\n{body}'}
                  value={mapping.textTemplate ?? ''}
                  data-testid="text-template"
                  onChange={(e) =>
                    onChange(assign(assign(mapping, 'text', undefined), 'textTemplate', e.target.value || undefined))
                  }
                />
              </label>
            </HintedField>
          </>
        )}
        {mapping.inputKind === 'image' && (
          <FieldSelect
            label="Image path"
            fields={fields}
            value={mapping.imagePath}
            onChange={(v) => set('imagePath', v)}
          />
        )}
        <FieldSelect
          label="Timestamp"
          fields={fields}
          value={mapping.timestamp?.field}
          onChange={(v) =>
            set('timestamp', v === undefined ? undefined : { field: v, unit: mapping.timestamp?.unit ?? 'auto' })
          }
        />
        <label>
          Task
          <select
            value={mapping.taskType}
            onChange={(e) => set('taskType', e.target.value as ImportMapping['taskType'])}
          >
            <option value="binary">binary</option>
            <option value="multiclass">multiclass</option>
            <option value="multilabel">multilabel</option>
          </select>
        </label>
        <label>
          Classes, in score order (comma separated)
          <input
            value={mapping.classes.join(', ')}
            onChange={(e) =>
              set(
                'classes',
                e.target.value
                  .split(',')
                  .map((c) => c.trim())
                  .filter(Boolean),
              )
            }
          />
        </label>
        <label>
          Scores are
          <select
            value={mapping.scoreTransform}
            onChange={(e) => set('scoreTransform', e.target.value as ImportMapping['scoreTransform'])}
          >
            <option value="none">probabilities</option>
            <option value="softmax">logits (softmax)</option>
            <option value="sigmoid">logits (sigmoid)</option>
          </select>
        </label>
        <FieldSelect
          label="Predicted label"
          fields={fields}
          value={mapping.predictedLabel}
          onChange={(v) => set('predictedLabel', v)}
        />
        <FieldSelect
          label="Ground truth"
          fields={fields}
          value={mapping.groundTruth}
          onChange={(v) => set('groundTruth', v)}
        />
        {(['name', 'version'] as const).map((part) => (
          <ModelPart key={part} part={part} fields={fields} model={mapping.model} onChange={(m) => set('model', m)} />
        ))}
        <label>
          Metadata kept
          <select
            multiple
            size={4}
            value={mapping.metadata}
            onChange={(e) =>
              set(
                'metadata',
                Array.from(e.target.selectedOptions, (o) => o.value),
              )
            }
          >
            {fields.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
      </div>
      <details>
        <summary>Edit the whole mapping as JSON (features, scores)</summary>
        <label className="block">
          Mapping JSON
          <textarea rows={12} value={json} onChange={(e) => setJson(e.target.value)} spellCheck={false} />
        </label>
        <button
          type="button"
          onClick={() => {
            try {
              const parsed = ImportMappingSchema.safeParse(JSON.parse(json));
              if (!parsed.success) {
                const issue = parsed.error.issues[0]!;
                setJsonError(`mapping JSON: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
                return;
              }
              onChange(parsed.data);
              setJsonError(null);
            } catch (e) {
              setJsonError(`mapping JSON: ${(e as Error).message}`);
            }
          }}
        >
          Apply JSON
        </button>
        {jsonError && (
          <p className="error" role="alert">
            {jsonError}
          </p>
        )}
      </details>
    </section>
  );
}
