import { useState } from 'react';
import type { LearnerConfig, LearnerLabelSource } from '../../../../shared/features/learn/contract';
import { LEARNER_DEFAULTS } from '../../../../shared/features/learn/contract';
import type { EmbeddingColumn } from '../../../../shared/features/learn/encode-contract';
import { embeddingsProgress, initialRepresentation, type RepresentationChoice } from './representations';

export interface LearnerSettings {
  representation: string;
  every: number;
  controlShare: number;
  labelSource: LearnerLabelSource;
}

const SOURCES: { value: LearnerLabelSource; text: string }[] = [
  { value: 'curated', text: 'curated labels' },
  { value: 'curated+truth', text: 'curated labels and imported ground truth (outside evaluation sets)' },
];

/** Representation, cadence, control share and label sources; Start (or Save and Refresh now). */
export function LearnerForm({
  choices,
  config,
  busy,
  refreshing,
  onSave,
  onRefresh,
  embeddings,
  embedding,
  onEmbed,
}: {
  choices: readonly RepresentationChoice[];
  /** The project's stored embedding columns, one per sentence encoder that has run. */
  embeddings: readonly EmbeddingColumn[];
  /** An embeddings pass started here is running. */
  embedding: boolean;
  onEmbed: (encoderId: number) => void;
  config: LearnerConfig | null;
  busy: boolean;
  refreshing: boolean;
  /** Saves the settings; `andRefresh` starts a refresh once they are saved. */
  onSave: (settings: LearnerSettings, andRefresh: boolean) => void;
  onRefresh: () => void;
}) {
  const [representation, setRepresentation] = useState(() =>
    initialRepresentation(choices, config?.representation ?? null),
  );
  const [every, setEvery] = useState(String(config?.every ?? LEARNER_DEFAULTS.every));
  const [sharePercent, setSharePercent] = useState(
    String(Math.round((config?.controlShare ?? LEARNER_DEFAULTS.controlShare) * 100)),
  );
  const [labelSource, setLabelSource] = useState<LearnerLabelSource>(
    config?.labelSource ?? LEARNER_DEFAULTS.labelSource,
  );
  const everyValue = Number(every);
  const shareValue = Number(sharePercent);
  const everyProblem =
    Number.isInteger(everyValue) && everyValue >= 1 ? null : 'Refresh after a whole number of labels, 1 or more.';
  const shareProblem =
    Number.isFinite(shareValue) && shareValue >= 0 && shareValue <= 90
      ? null
      : 'The control share is a percentage from 0 to 90.';
  const chosen = choices.find((c) => c.value === representation);
  // A configured representation the project no longer offers (e.g. its encoder was removed) is shown, not silently swapped.
  const orphan = representation !== '' && !chosen;
  const encoderId = chosen?.encoderId;
  const embeddingsMissing =
    encoderId === undefined
      ? null
      : embeddingsProgress(
          embeddings.find((c) => c.modelId === encoderId),
          chosen!.value.slice('embeddings:'.length),
        );
  const blocked =
    everyProblem !== null ||
    shareProblem !== null ||
    representation === '' ||
    !!chosen?.unavailable ||
    embeddingsMissing !== null;
  const settings = (): LearnerSettings => ({
    representation,
    every: everyValue,
    controlShare: shareValue / 100,
    labelSource,
  });
  const changed =
    !config ||
    config.representation !== representation ||
    config.every !== everyValue ||
    Math.abs(config.controlShare - shareValue / 100) > 1e-9 ||
    config.labelSource !== labelSource;
  return (
    <form
      className="mine-form learn-form"
      aria-label="Learner settings"
      onSubmit={(e) => {
        e.preventDefault();
        if (!blocked) onSave(settings(), config === null);
      }}
    >
      <label>
        Representation
        <select
          value={representation}
          aria-describedby="representation-help"
          onChange={(e) => setRepresentation(e.target.value)}
        >
          {representation === '' && <option value="">— none available —</option>}
          {orphan && <option value={representation}>{representation} (configured)</option>}
          {choices.map((c) => (
            <option key={c.value} value={c.value} disabled={c.unavailable !== null}>
              {c.text}
              {c.unavailable ? ` — ${c.unavailable}` : ''}
            </option>
          ))}
        </select>
      </label>
      <label>
        Refresh every (labels)
        <input
          type="number"
          min={1}
          max={100000}
          value={every}
          aria-invalid={everyProblem !== null}
          aria-describedby={everyProblem ? 'every-problem' : undefined}
          onChange={(e) => setEvery(e.target.value)}
        />
        {everyProblem && (
          <span className="field-error" id="every-problem">
            {everyProblem}
          </span>
        )}
      </label>
      <label>
        Random control share (%)
        <input
          type="number"
          min={0}
          max={90}
          value={sharePercent}
          aria-invalid={shareProblem !== null}
          aria-describedby={shareProblem ? 'share-problem' : undefined}
          onChange={(e) => setSharePercent(e.target.value)}
        />
        {shareProblem && (
          <span className="field-error" id="share-problem">
            {shareProblem}
          </span>
        )}
      </label>
      <label>
        Learn from
        <select value={labelSource} onChange={(e) => setLabelSource(e.target.value as LearnerLabelSource)}>
          {SOURCES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.text}
            </option>
          ))}
        </select>
      </label>
      {config === null ? (
        <button type="submit" className="primary" disabled={busy || blocked}>
          {busy ? 'Starting…' : 'Start learning'}
        </button>
      ) : (
        <>
          <button type="submit" disabled={busy || blocked || !changed}>
            Save settings
          </button>
          <button
            type="button"
            className="primary"
            disabled={busy || refreshing || blocked}
            onClick={() => (changed ? onSave(settings(), true) : onRefresh())}
          >
            {refreshing ? 'Refreshing…' : changed ? 'Save and refresh now' : 'Refresh now'}
          </button>
        </>
      )}
      {embeddingsMissing !== null && encoderId !== undefined && (
        <p className="strategy-help notice" data-testid="embeddings-progress">
          {embeddingsMissing}{' '}
          <button type="button" disabled={embedding} onClick={() => onEmbed(encoderId)}>
            {embedding ? 'Computing…' : 'Compute embeddings'}
          </button>
        </p>
      )}
      {choices.some((c) => c.unavailable !== null) && (
        <p className="strategy-help muted small" data-testid="representations-unavailable">
          Not available here:{' '}
          {choices
            .filter((c) => c.unavailable !== null)
            .map((c) => `${c.value} (${c.unavailable})`)
            .join('; ')}
          .
        </p>
      )}
      <p className="strategy-help muted small" id="representation-help">
        {orphan
          ? `The configured representation ${representation} is not offered by this project any more: choose another.`
          : representation === ''
            ? 'This project has no representation the learner can read: import a log with feature vectors or text, or register a sentence encoder in Models.'
            : 'The learner is an L2-regularised logistic regression over this representation, refitted after every few labels in the background; the next item is always ready while it runs.'}
      </p>
    </form>
  );
}
