import type { AppEvent } from '../../shared/api/events';
import type { FilePurpose } from '../../shared/features/app/contract';
import type { Store } from '../store/store';
import type { JobRunner } from './jobs';

/** What every handler may use. One per runtime, built by its composition root. */
export interface Context {
  store: Store;
  jobs: JobRunner;
  runtime: 'electron' | 'server' | 'cli';
  /** Folder for rejects files and other workbench-owned outputs. */
  dataDir: string;
  emit(event: AppEvent): void;
  /** The desktop app's open dialog; absent where there is no OS dialog (browser mode, CLI). */
  pickFile?: (purpose: FilePurpose) => Promise<string | null>;
  /** Shows a folder in the desktop's file manager; absent where there is none to show it in (browser mode, CLI). */
  openFolder?: (folder: string) => Promise<void>;
}
