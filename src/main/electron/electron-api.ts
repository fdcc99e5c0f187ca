import { createRequire } from 'node:module';

// The Electron runtime is an optional download (unreachable on some machines), so its
// package and types may be absent at build time. The main process loads it at run time
// and describes the few parts it uses here.
/** What the navigation events carry (Electron 25+ puts the target URL on the event). */
export interface NavigationEventLike {
  url: string;
  preventDefault(): void;
}

export interface WebContentsLike {
  id: number;
  send(channel: string, payload: unknown): void;
  on(
    event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect',
    listener: (event: NavigationEventLike) => void,
  ): void;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
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

export interface SessionLike {
  setPermissionRequestHandler(
    handler: (
      webContents: WebContentsLike | null,
      permission: string,
      callback: (granted: boolean) => void,
      details: { requestingUrl?: string },
    ) => void,
  ): void;
  setPermissionCheckHandler(
    handler: (webContents: WebContentsLike | null, permission: string, requestingOrigin: string) => boolean,
  ): void;
  setDevicePermissionHandler(handler: () => boolean): void;
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
    on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsLike) => void): void;
    on(event: string, listener: (...args: unknown[]) => void): void;
    quit(): void;
    getPath(name: 'userData'): string;
    requestSingleInstanceLock(): boolean;
    isPackaged: boolean;
  };
  protocol: {
    registerSchemesAsPrivileged(schemes: { scheme: string; privileges: Record<string, boolean> }[]): void;
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
  };
  session: { defaultSession: SessionLike };
  BrowserWindow: new (options: Record<string, unknown>) => BrowserWindowLike;
  dialog: {
    showOpenDialog(
      window: BrowserWindowLike | undefined,
      options: { title: string; properties: string[]; filters?: { name: string; extensions: string[] }[] },
    ): Promise<{ canceled: boolean; filePaths: string[] }>;
  };
  shell: {
    /** Opens a file or folder with the desktop's default app; resolves to an error message ('' when done). */
    openPath(path: string): Promise<string>;
  };
  ipcMain: {
    handle(
      channel: string,
      listener: (
        event: { sender: WebContentsLike; senderFrame?: { url: string; parent: unknown } | null },
        ...args: unknown[]
      ) => unknown,
    ): void;
  };
}

export function loadElectron(): ElectronApi {
  return createRequire(import.meta.url)('electron') as ElectronApi;
}
