import type { ExportFormat } from '../../../../shared/features/export/contract';
import type { ExportDraft } from './export-draft';

export interface ExportChoices {
  /** Label schema versions, oldest first. */
  versions: number[];
  modelRuns: { id: number; name: string }[];
  annotators: string[];
}

const SPLIT_NAMES = ['train', 'validation', 'test'] as const;

/** Every option of the export engine, grouped as people think of them. */
export function ExportForm({
  draft,
  choices,
  onChange,
}: {
  draft: ExportDraft;
  choices: ExportChoices;
  onChange: (patch: Partial<ExportDraft>) => void;
}) {
  const newest = choices.versions.at(-1);
  return (
    <div className="export-form">
      <fieldset>
        <legend>Dataset</legend>
        <label>
          Name
          <input value={draft.name} onChange={(e) => onChange({ name: e.target.value })} />
        </label>
        <label>
          Format
          <select value={draft.format} onChange={(e) => onChange({ format: e.target.value as ExportFormat })}>
            <option value="jsonl">JSONL</option>
            <option value="csv">CSV</option>
            <option value="parquet">Parquet</option>
            <option value="hf">Hugging Face folder</option>
          </select>
        </label>
        <label>
          Label schema
          <select
            value={draft.schemaVersion}
            onChange={(e) => onChange({ schemaVersion: e.target.value === '' ? '' : Number(e.target.value) })}
          >
            <option value="">current{newest !== undefined ? ` (v${newest})` : ''}</option>
            {choices.versions.map((v) => (
              <option key={v} value={v}>
                v{v}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <fieldset>
        <legend>Which labels</legend>
        <label>
          Labels from
          <select
            value={draft.labelSource}
            onChange={(e) => onChange({ labelSource: e.target.value as ExportDraft['labelSource'] })}
          >
            <option value="human">people only</option>
            <option value="human+model">people, else the model</option>
          </select>
        </label>
        {draft.labelSource === 'human+model' && (
          <label>
            Model run
            <select
              value={draft.modelRun}
              onChange={(e) => onChange({ modelRun: e.target.value === '' ? '' : Number(e.target.value) })}
            >
              <option value="">the newest</option>
              {choices.modelRuns.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Agreement
          <select
            value={draft.agreement}
            onChange={(e) => onChange({ agreement: e.target.value as ExportDraft['agreement'] })}
          >
            <option value="any">any decided label</option>
            <option value="consensus">two or more agreed, or adjudicated</option>
            <option value="adjudicated">adjudicated only</option>
          </select>
        </label>
        {choices.annotators.length > 0 && (
          <fieldset className="inline-choices">
            <legend>Annotators (none ticked: everyone)</legend>
            {choices.annotators.map((a) => (
              <label key={a} className="check">
                <input
                  type="checkbox"
                  checked={draft.annotators.includes(a)}
                  onChange={(e) =>
                    onChange({
                      annotators: e.target.checked ? [...draft.annotators, a] : draft.annotators.filter((x) => x !== a),
                    })
                  }
                />{' '}
                {a}
              </label>
            ))}
          </fieldset>
        )}
        <label>
          From
          <input type="datetime-local" value={draft.from} onChange={(e) => onChange({ from: e.target.value })} />
        </label>
        <label>
          To (before)
          <input type="datetime-local" value={draft.to} onChange={(e) => onChange({ to: e.target.value })} />
        </label>
      </fieldset>
      {choices.modelRuns.length > 0 && (
        <fieldset className="inline-choices">
          <legend>Model scores in the rows (each ticked run: its predicted label and a score per class)</legend>
          {choices.modelRuns.map((r) => (
            <label key={r.id} className="check">
              <input
                type="checkbox"
                checked={draft.scoreRuns.includes(r.id)}
                onChange={(e) =>
                  onChange({
                    scoreRuns: e.target.checked
                      ? [...draft.scoreRuns, r.id]
                      : draft.scoreRuns.filter((x) => x !== r.id),
                  })
                }
              />{' '}
              {r.name}
            </label>
          ))}
        </fieldset>
      )}
      <fieldset>
        <legend>Splits</legend>
        <label>
          Split
          <select value={draft.split} onChange={(e) => onChange({ split: e.target.value as ExportDraft['split'] })}>
            <option value="time-fractions">by time, in shares (oldest to train)</option>
            <option value="time-cutoffs">by time, at cut-off dates</option>
            <option value="random">random, seeded</option>
            <option value="none">none (one file)</option>
          </select>
        </label>
        {(draft.split === 'time-fractions' || draft.split === 'random') &&
          SPLIT_NAMES.map((s, i) => (
            <label key={s} className="share">
              {s} %
              <input
                type="number"
                min={0}
                max={100}
                value={draft.shares[i]}
                onChange={(e) => {
                  const shares = [...draft.shares] as ExportDraft['shares'];
                  shares[i] = Number(e.target.value);
                  onChange({ shares });
                }}
              />
            </label>
          ))}
        {draft.split === 'random' && (
          <label className="share">
            Seed
            <input type="number" value={draft.seed} onChange={(e) => onChange({ seed: Number(e.target.value) })} />
          </label>
        )}
        {draft.split === 'time-cutoffs' && (
          <>
            <label>
              Validation starts
              <input
                type="datetime-local"
                value={draft.cutoffs[0]}
                onChange={(e) => onChange({ cutoffs: [e.target.value, draft.cutoffs[1]] })}
              />
            </label>
            <label>
              Test starts
              <input
                type="datetime-local"
                value={draft.cutoffs[1]}
                onChange={(e) => onChange({ cutoffs: [draft.cutoffs[0], e.target.value] })}
              />
            </label>
          </>
        )}
        {draft.split !== 'none' && (
          <label>
            Keep together by
            <input
              value={draft.groupBy}
              placeholder="metadata key, e.g. user_id"
              onChange={(e) => onChange({ groupBy: e.target.value })}
            />
          </label>
        )}
      </fieldset>
    </div>
  );
}
