import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContext, defaultDbPath } from '../core/create-context';
import { dispatch } from '../core/dispatch';
import { CONTENT_SECURITY_POLICY } from '../server/http-server';
import { loadElectron, type BrowserWindowLike } from './electron-api';
import { electronNativeBinding } from './native-binding';

export const IPC_CALL = 'flywheel:call';
export const IPC_EVENT = 'flywheel:event';

const FILE_FILTERS = {
  log: [{ name: 'Prediction logs', extensions: ['jsonl', 'ndjson', 'json', 'csv', 'parquet', 'gz'] }],
  model: [{ name: 'ONNX models', extensions: ['onnx'] }],
};

const here = path.dirname(fileURLToPath(import.meta.url));
const electron = loadElectron();
const { app, BrowserWindow, dialog, ipcMain } = electron;

if (!app.requestSingleInstanceLock()) app.quit();

function createWindow(): BrowserWindowLike {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    show: false,
    title: 'Flywheel Workbench',
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.webContents.session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  // The app is one local page: no navigation away, no new windows.
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.once('ready-to-show', () => win.show());
  const devUrl = process.env['ELECTRON_RENDERER_URL'];
  if (devUrl && !app.isPackaged) void win.loadURL(devUrl);
  else void win.loadFile(path.join(here, '../renderer/index.html'));
  return win;
}

void app.whenReady().then(() => {
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
      title: purpose === 'log' ? 'Import a prediction log' : 'Add an ONNX model',
      properties: [folder ? 'openDirectory' : 'openFile'],
      ...(folder ? {} : { filters: FILE_FILTERS[purpose] }),
    });
    return result.canceled ? null : (result.filePaths[0] ?? null);
  };
  ctx.listeners.add((event) => {
    for (const w of windows) if (!w.webContents.isDestroyed()) w.webContents.send(IPC_EVENT, event);
  });
  ipcMain.handle(IPC_CALL, (event, method, input) => {
    // Only our own page may call: its frame is a file:// URL (or the dev server).
    const url = event.senderFrame?.url ?? '';
    if (
      !url.startsWith('file://') &&
      !(process.env['ELECTRON_RENDERER_URL'] && url.startsWith(process.env['ELECTRON_RENDERER_URL']))
    ) {
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
