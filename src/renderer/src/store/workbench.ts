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
/** The project this window showed last: a new window opens on it (by name: ids differ between databases). */
export const PROJECT_KEY = 'flywheel.project';

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

/** The selected project's name, known at once from the project list (stats arrive later). */
export function useSelectedName(): string | null {
  return useWorkbench((s) => s.projects.find((p) => p.id === s.selectedId)?.name ?? null);
}

export async function refreshProjects(): Promise<void> {
  const { client } = get();
  if (!client) return;
  try {
    const projects = await client.call('projects.list', {});
    const remembered = projects.find((p) => p.name === localStorage.getItem(PROJECT_KEY));
    const known = projects.some((p) => p.id === get().selectedId) ? get().selectedId : null;
    const selectedId = known ?? remembered?.id ?? projects[0]?.id ?? null;
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
  const name = get().projects.find((p) => p.id === projectId)?.name;
  if (name !== undefined) localStorage.setItem(PROJECT_KEY, name);
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
