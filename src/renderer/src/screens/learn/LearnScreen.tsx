import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Input } from '../../../../shared/api/contract';
import type { LearnRefreshResult, LearnStatus } from '../../../../shared/features/learn/contract';
import { MINING_STRATEGY_NAMES } from '../../../../shared/features/mining/strategy';
import type { RegisteredModel } from '../../../../shared/features/models/contract';
import { runJob } from '../../client/jobs';
import { Alert } from '../../components/Alert';
import { useAction } from '../../hooks/useAction';
import { openScreen } from '../../store/navigation';
import { useWorkbench } from '../../store/workbench';
import { LabelIssues } from './LabelIssues';
import { LearnerForm, type LearnerSettings } from './LearnerForm';
import { EfficiencyMeter, RefreshStatus, StopSignal } from './LearnPanels';
import { representationChoices } from './representations';

/** The mining strategy that queues likely-wrong labels for a second look, where this build has it. */
const LABEL_ISSUES = 'label-issues';
const LABEL_ISSUES_OFFERED = (MINING_STRATEGY_NAMES as readonly string[]).includes(LABEL_ISSUES);
const LABEL_ISSUES_STRATEGY = { strategy: LABEL_ISSUES } as unknown as Input<'mining.run'>['strategy'];

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

function useModels(): RegisteredModel[] | null {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const [models, setModels] = useState<RegisteredModel[] | null>(null);
  useEffect(() => {
    if (!client || projectId === null) return;
    let live = true;
    client.call('models.list', { projectId }).then(
      (m) => live && setModels(m),
      () => live && setModels([]),
    );
    return () => {
      live = false;
    };
  }, [client, projectId]);
  return models;
}

/** The learner in the loop: its settings, whether its queue pays off against random, when to stop, likely-wrong labels. */
export function LearnScreen() {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const project = useWorkbench((s) => s.stats?.project ?? null);
  const models = useModels();
  const [status, loadProblem, reload] = useLearnStatus();
  const { busy, error, run } = useAction();
  const [refreshing, setRefreshing] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [issuesQueued, setIssuesQueued] = useState<string | null>(null);
  const choices = useMemo(() => (project && models ? representationChoices(project, models) : null), [project, models]);
  if (!client || projectId === null) return null;

  const refresh = async () => {
    setRefreshing(true);
    setNote(null);
    try {
      const job = await runJob(client, () => client.call('learn.refresh', { project: { projectId } }));
      const fresh = await reload();
      if (job.state === 'succeeded') setNote((job.result as LearnRefreshResult | undefined)?.message ?? null);
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
  const switchToRandom = () =>
    run(async () => {
      const result = await client.call('mining.run', {
        project: { projectId },
        strategy: { strategy: 'random', seed: 1 },
        limit: Math.max(100, project?.classes.length ?? 0),
      });
      setNote(
        `Queued ${result.added.toLocaleString('en-US')} random items (${result.alreadyQueued.toLocaleString(
          'en-US',
        )} were already queued): label those, or choose another strategy in Mine.`,
      );
    });
  const queueIssues = () =>
    run(async () => {
      const result = await client.call('mining.run', {
        project: { projectId },
        strategy: LABEL_ISSUES_STRATEGY,
        limit: 100,
      });
      setIssuesQueued(
        `Queued ${result.added.toLocaleString('en-US')} likely-wrong labels for a second look (${result.alreadyQueued.toLocaleString(
          'en-US',
        )} were already queued).`,
      );
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
          <RefreshStatus status={status} classes={project.classes} />
          <EfficiencyMeter
            meter={status.meter}
            busy={busy}
            switchText="Switch the queue to random sampling"
            onSwitchStrategy={() => void switchToRandom()}
          />
          <StopSignal stop={status.stop} />
          <LabelIssues
            summary={status.labelIssues}
            issues={null}
            busy={busy}
            unavailable={LABEL_ISSUES_OFFERED ? null : 'This build has no label-issues strategy to queue them with.'}
            queued={issuesQueued}
            onQueue={() => void queueIssues()}
          />
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
