import { create } from 'zustand';
import type { ApiClient } from '../../../shared/api/client';
import type { ImportRun } from '../../../shared/features/import/contract';
import type { ProjectStats, ProjectSummary } from '../../../shared/features/projects/contract';
import type { JobProgress } from '../../../shared/features/app/contract';

interface WorkbenchState {
  client: ApiClient | null;
  /** Electron has OS file dialogs; browser mode uploads files instead. */
  mode: 'electron' | 'browser';
  /** Chosen by the theme switch; charts redraw in the theme's colours when it changes. */
  theme: 'system' | 'light' | 'dark';
  /** What the page shows now (system resolved); charts redraw when it changes. */
  appliedTheme: 'light' | 'dark';
  problem: string | null;
  projects: ProjectSummary[];
  selectedId: number | null;
  stats: ProjectStats | null;
  imports: ImportRun[];
  jobs: Record<string, JobProgress>;
  loading: boolean;
  error: string | null;
}

export const THEME_KEY = 'flywheel.theme';

function storedTheme(): WorkbenchState['theme'] {
  const t = localStorage.getItem(THEME_KEY);
  return t === 'light' || t === 'dark' ? t : 'system';
}

export const useWorkbench = create<WorkbenchState>(() => ({
  client: null,
  mode: 'browser',
  theme: storedTheme(),
  appliedTheme: 'light',
  problem: null,
  projects: [],
  selectedId: null,
  stats: null,
  imports: [],
  jobs: {},
  loading: true,
  error: null,
}));

const set = useWorkbench.setState;
const get = useWorkbench.getState;

export async function refreshProjects(): Promise<void> {
  const { client } = get();
  if (!client) return;
  try {
    const projects = await client.call('projects.list', {});
    const selectedId = get().selectedId ?? projects[0]?.id ?? null;
    set({ projects, loading: false, error: null, selectedId });
    if (selectedId !== null) await selectProject(selectedId);
  } catch (e) {
    set({ loading: false, error: (e as Error).message });
  }
}

export async function selectProject(projectId: number): Promise<void> {
  const { client } = get();
  if (!client) return;
  set({ selectedId: projectId });
  try {
    const [stats, imports] = await Promise.all([
      client.call('projects.stats', { projectId }),
      client.call('import.runs', { projectId }),
    ]);
    if (get().selectedId === projectId) set({ stats, imports, error: null });
  } catch (e) {
    set({ error: (e as Error).message });
  }
}

export function start(client: ApiClient | null, problem: string | null, mode: 'electron' | 'browser'): void {
  set({ client, problem, mode, loading: client !== null });
  if (!client) return;
  client.onEvent((event) => {
    if (event.type === 'job.progress') set({ jobs: { ...get().jobs, [event.progress.jobId]: event.progress } });
    if (event.type === 'job.finished') {
      const { [event.job.jobId]: _done, ...rest } = get().jobs;
      set({ jobs: rest });
    }
    if (event.type === 'data.changed' || event.type === 'job.finished') void refreshProjects();
  });
  void refreshProjects();
}
