import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContext, defaultDbPath } from '../core/create-context';
import { dispatch } from '../core/dispatch';
import { CONTENT_SECURITY_POLICY } from '../server/http-server';
import { APP_ENTRY_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, serveAppRequest } from './app-protocol';
import { loadElectron, type BrowserWindowLike, type WebContentsLike } from './electron-api';
import { electronNativeBinding } from './native-binding';
import { workbenchWebPreferences } from './web-preferences';
import { isNavigationAllowed, isPermissionAllowed, isWorkbenchSender, rendererDevUrl } from './trusted-origin';

export const IPC_CALL = 'flywheel:call';
export const IPC_EVENT = 'flywheel:event';

const FILE_FILTERS = {
  log: [{ name: 'Prediction logs', extensions: ['jsonl', 'ndjson', 'json', 'csv', 'parquet', 'gz'] }],
  model: [{ name: 'ONNX models', extensions: ['onnx'] }],
  'model-card': [{ name: 'Model cards', extensions: ['json'] }],
};

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererRoot = path.join(here, '../renderer');
const electron = loadElectron();
const { app, BrowserWindow, dialog, ipcMain, protocol, session, shell } = electron;
const devUrl = rendererDevUrl(process.env, app.isPackaged);

if (!app.requestSingleInstanceLock()) app.quit();
// Before ready: app:// becomes a standard, secure origin of its own.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);

/** Every web contents, the window's or any other: no navigation away, no new windows, no webviews. */
function lockDown(contents: WebContentsLike): void {
  const guard = (event: { url: string; preventDefault(): void }) => {
    if (!isNavigationAllowed(event.url, devUrl)) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-frame-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

function createWindow(): BrowserWindowLike {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    show: false,
    title: 'Flywheel Workbench',
    webPreferences: workbenchWebPreferences(path.join(here, '../preload/index.cjs'), app.isPackaged),
  });
  // The dev server's responses get the same policy the app:// handler sends with each file.
  win.webContents.session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(devUrl ?? APP_ENTRY_URL);
  return win;
}

app.on('web-contents-created', (_event, contents) => lockDown(contents));

void app.whenReady().then(() => {
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererRoot, request));
  // The page uses no web permission: every request and check is refused.
  const { defaultSession } = session;
  defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(isPermissionAllowed(permission, details.requestingUrl ?? '', devUrl)),
  );
  defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionAllowed(permission, requestingOrigin, devUrl),
  );
  defaultSession.setDevicePermissionHandler(() => false);

  const dbPath = process.env['FLYWHEEL_DB'] ?? defaultDbPath();
  const nativeBinding = electronNativeBinding();
  const ctx = createContext({
    dbPath,
    runtime: 'electron',
    quickCheck: true,
    ...(nativeBinding ? { nativeBinding } : {}),
  });
  const windows = new Set<BrowserWindowLike>();
  ctx.pickFile = async (purpose) => {
    const folder = purpose === 'model-folder';
    const result = await dialog.showOpenDialog([...windows][0], {
      title:
        purpose === 'log'
          ? 'Import a prediction log'
          : purpose === 'model-card'
            ? "Choose the model's card (JSON)"
            : 'Add an ONNX model',
      properties: [folder ? 'openDirectory' : 'openFile'],
      ...(folder ? {} : { filters: FILE_FILTERS[purpose] }),
    });
    return result.canceled ? null : (result.filePaths[0] ?? null);
  };
  ctx.openFolder = async (folder) => {
    const problem = await shell.openPath(folder);
    if (problem) throw new Error(problem);
  };
  ctx.listeners.add((event) => {
    for (const w of windows) if (!w.webContents.isDestroyed()) w.webContents.send(IPC_EVENT, event);
  });
  ipcMain.handle(IPC_CALL, (event, method, input) => {
    if (!isWorkbenchSender(event.senderFrame, devUrl)) {
      return { ok: false, error: { code: 'forbidden', message: 'calls are accepted from the workbench page only' } };
    }
    if (typeof method !== 'string')
      return { ok: false, error: { code: 'invalid-input', message: 'method must be a string' } };
    return dispatch(method, input, ctx);
  });
  windows.add(createWindow());
  app.on('window-all-closed', () => {
    void ctx.dispose().then(() => app.quit());
  });
});
