import { useCallback, useEffect, useMemo, useState } from 'react';
import type { LearnRefreshResult, LearnStatus } from '../../../../shared/features/learn/contract';
import type { MiningPreview } from '../../../../shared/features/mining/contract';
import type { EmbeddingColumn } from '../../../../shared/features/learn/encode-contract';
import type { RegisteredModel } from '../../../../shared/features/models/contract';
import { runJob } from '../../client/jobs';
import { Alert } from '../../components/Alert';
import { useAction } from '../../hooks/useAction';
import { openScreen } from '../../store/navigation';
import { useWorkbench } from '../../store/workbench';
import { ExportLearner } from './ExportLearner';
import { LabelIssues } from './LabelIssues';
import { LearnerForm, type LearnerSettings } from './LearnerForm';
import { EfficiencyMeter, RefreshStatus, StopSignal } from './LearnPanels';
import { issuesQueuedLine, sentence } from './learn-words';
import { representationChoices } from './representations';

/** The control share that makes the queue (almost) a random sample: the most the learner accepts. */
const RANDOM_SHARE = 0.9;

/** Likely-wrong labels, found by the label-issues strategy: at most this many are shown and queued at once. */
const LABEL_ISSUES_LIMIT = 100;

/** The learner's status, read again whenever the project's data changes (a label, a finished refresh). */
function useLearnStatus(): [LearnStatus | null, string | null, () => Promise<LearnStatus | null>] {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const stats = useWorkbench((s) => s.stats);
  const [status, setStatus] = useState<LearnStatus | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const load = useCallback(async () => {
    if (!client || projectId === null) return null;
    try {
      const fresh = await client.call('learn.status', { projectId });
      setStatus(fresh);
      setProblem(null);
      return fresh;
    } catch (e) {
      setProblem((e as Error).message);
      return null;
    }
  }, [client, projectId]);
  useEffect(() => void load(), [load, stats]);
  // A refresh started by labeling runs in the background: follow it until it ends.
  const running = status?.runningJob ?? null;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void load(), 1000);
    return () => clearInterval(timer);
  }, [running, load]);
  return [status, problem, load];
}

/** The project's registered models and stored embedding columns, read again when its data changes. */
function useModelsAndEmbeddings(): [RegisteredModel[] | null, EmbeddingColumn[], () => void] {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const stats = useWorkbench((s) => s.stats);
  const [models, setModels] = useState<RegisteredModel[] | null>(null);
  const [columns, setColumns] = useState<EmbeddingColumn[]>([]);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!client || projectId === null) return;
    let live = true;
    client.call('models.list', { projectId }).then(
      (m) => live && setModels(m),
      () => live && setModels([]),
    );
    client.call('learn.embeddings', { projectId }).then(
      (c) => live && setColumns(c),
      () => live && setColumns([]),
    );
    return () => {
      live = false;
    };
  }, [client, projectId, stats, tick]);
  return [models, columns, () => setTick((t) => t + 1)];
}

/** The learner in the loop: its settings, whether its queue pays off against random, when to stop, likely-wrong labels. */
export function LearnScreen() {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const project = useWorkbench((s) => s.stats?.project ?? null);
  const examples = useWorkbench((s) => s.stats?.counts.examples ?? 0);
  const [models, embeddings, reloadEmbeddings] = useModelsAndEmbeddings();
  const [embedding, setEmbedding] = useState(false);
  const [status, loadProblem, reload] = useLearnStatus();
  const { busy, error, run } = useAction();
  const [refreshing, setRefreshing] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [issuesQueued, setIssuesQueued] = useState<string | null>(null);
  const [issues, setIssues] = useState<MiningPreview | null>(null);
  const choices = useMemo(() => (project && models ? representationChoices(project, models) : null), [project, models]);
  if (!client || projectId === null) return null;

  const refresh = async () => {
    setRefreshing(true);
    setNote(null);
    try {
      const job = await runJob(client, () => client.call('learn.refresh', { project: { projectId } }));
      const fresh = await reload();
      const message = (job.result as LearnRefreshResult | undefined)?.message;
      if (job.state === 'succeeded') setNote(message ? sentence(message) : null);
      // The status card shows why the last refresh did not apply; say it once.
      else if (!fresh?.lastProblem) throw new Error(job.error?.message ?? `The refresh ${job.state}.`);
    } finally {
      setRefreshing(false);
    }
  };
  const save = (s: LearnerSettings, andRefresh: boolean) =>
    run(async () => {
      await client.call('learn.configure', { project: { projectId }, ...s });
      await reload();
      if (andRefresh) await refresh();
    });
  const embed = (encoderId: number) =>
    run(async () => {
      setEmbedding(true);
      try {
        const job = await runJob(client, () =>
          client.call('learn.embed', { project: { projectId }, encoder: encoderId }),
        );
        if (job.state === 'cancelled')
          throw new Error('Embedding stopped: computing again continues where it stopped.');
        if (job.state !== 'succeeded') throw new Error(job.error?.message ?? 'Computing the embeddings failed.');
      } finally {
        setEmbedding(false);
        reloadEmbeddings();
      }
    });
  // The learner re-ranks the whole pending queue at each refresh, so a random queue built in Mine
  // would be re-ranked away: the learner's own control share is the lever that makes the queue random.
  const switchToRandom = () =>
    run(async () => {
      const config = status?.config;
      if (!config) return;
      await client.call('learn.configure', {
        project: { projectId },
        representation: config.representation,
        every: config.every,
        labelSource: config.labelSource,
        l2: config.l2,
        controlShare: RANDOM_SHARE,
      });
      await refresh();
      setNote(
        `The queue is now ${Math.round(RANDOM_SHARE * 100)}% random: the learner still learns from every label, and the control share can be lowered again in the settings above.`,
      );
    });
  const issuesRequest = {
    project: { projectId },
    strategy: { strategy: 'label-issues' as const },
    limit: LABEL_ISSUES_LIMIT,
  };
  const findIssues = () =>
    run(async () => {
      setIssuesQueued(null);
      setIssues(await client.call('mining.preview', issuesRequest));
    });
  const queueIssues = () =>
    run(async () => {
      const result = await client.call('mining.run', issuesRequest);
      setIssuesQueued(issuesQueuedLine(result));
      await reload();
    });

  return (
    <article className="learn" aria-label="Learn">
      <h1>Learn while you label</h1>
      <p className="muted lead">
        A learner retrains on your labels every few decisions and re-ranks the review queue. A random share of the queue
        is kept as a control, so the meter below shows whether the mined items teach it more than random ones would.
      </p>
      {choices && status ? (
        <LearnerForm
          key={status.config?.updatedAt ?? 0}
          choices={choices}
          config={status.config}
          busy={busy}
          refreshing={refreshing || status.runningJob !== null}
          onSave={(s, andRefresh) => void save(s, andRefresh)}
          onRefresh={() => void run(refresh)}
          embeddings={embeddings}
          embedding={embedding}
          onEmbed={(id) => void embed(id)}
        />
      ) : (
        !loadProblem && <p className="muted">Loading…</p>
      )}
      <Alert message={error ?? loadProblem} />
      {note && (
        <p className="notice" role="status" data-testid="learn-note">
          {note}
        </p>
      )}
      {status && project && (
        <div className="learn-grid">
          <div className="learn-column">
            <RefreshStatus status={status} classes={project.classes} />
            <StopSignal stop={status.stop} />
            <ExportLearner
              key={status.lastRefresh?.id ?? 0}
              projectId={projectId}
              projectName={project.name}
              labels={status.lastRefresh?.labels ?? null}
              representation={status.lastRefresh?.representation ?? null}
            />
          </div>
          <div className="learn-column">
            <EfficiencyMeter
              meter={status.meter}
              examples={examples}
              controlShare={status.config?.controlShare ?? 0}
              alreadyRandom={(status.config?.controlShare ?? 0) >= RANDOM_SHARE}
              busy={busy}
              switchText={`Switch to random sampling (control share ${Math.round(RANDOM_SHARE * 100)}%)`}
              onSwitchStrategy={() => void switchToRandom()}
            />
            <LabelIssues
              summary={status.labelIssues}
              found={issues}
              busy={busy}
              unavailable={status.lastRefresh ? null : 'The learner finds likely-wrong labels once it has refreshed.'}
              queued={issuesQueued}
              onFind={() => void findIssues()}
              onQueue={() => void queueIssues()}
            />
          </div>
        </div>
      )}
      {status?.config && (
        <p className="muted small">
          Label in{' '}
          <button type="button" className="link" onClick={() => openScreen('Review')}>
            Review
          </button>
          : the queue is re-ranked in the background and the next item is always ready.
        </p>
      )}
    </article>
  );
}
