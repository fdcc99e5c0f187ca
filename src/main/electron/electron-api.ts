import { createRequire } from 'node:module';

// The Electron runtime is an optional download (unreachable on some machines), so its
// package and types may be absent at build time. The main process loads it at run time
// and describes the few parts it uses here.
export interface WebContentsLike {
  id: number;
  send(channel: string, payload: unknown): void;
  on(event: 'will-navigate', listener: (event: { preventDefault(): void }, url: string) => void): void;
  setWindowOpenHandler(handler: () => { action: 'deny' }): void;
  isDestroyed(): boolean;
  session: {
    webRequest: {
      onHeadersReceived(
        listener: (
          details: { responseHeaders?: Record<string, string[]> },
          callback: (response: { responseHeaders: Record<string, string[]> }) => void,
        ) => void,
      ): void;
    };
  };
}

export interface BrowserWindowLike {
  webContents: WebContentsLike;
  loadFile(file: string): Promise<void>;
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): void;
  show(): void;
}

export interface ElectronApi {
  app: {
    whenReady(): Promise<void>;
    on(event: string, listener: (...args: unknown[]) => void): void;
    quit(): void;
    getPath(name: 'userData'): string;
    requestSingleInstanceLock(): boolean;
    isPackaged: boolean;
  };
  BrowserWindow: new (options: Record<string, unknown>) => BrowserWindowLike;
  dialog: {
    showOpenDialog(
      window: BrowserWindowLike | undefined,
      options: { title: string; properties: string[]; filters?: { name: string; extensions: string[] }[] },
    ): Promise<{ canceled: boolean; filePaths: string[] }>;
  };
  ipcMain: {
    handle(
      channel: string,
      listener: (event: { sender: WebContentsLike; senderFrame?: { url: string } }, ...args: unknown[]) => unknown,
    ): void;
  };
}

export function loadElectron(): ElectronApi {
  return createRequire(import.meta.url)('electron') as ElectronApi;
}
