// Sandboxed preload (bundled as CommonJS): the renderer gets two functions and nothing else.
const { contextBridge, ipcRenderer } = require('electron') as {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
    on(channel: string, listener: (event: unknown, payload: unknown) => void): void;
    removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): void;
  };
};

contextBridge.exposeInMainWorld('flywheel', {
  call: (method: string, input: unknown) => ipcRenderer.invoke('flywheel:call', String(method), input),
  subscribe: (listener: (event: unknown) => void) => {
    const wrapped = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on('flywheel:event', wrapped);
    return () => ipcRenderer.removeListener('flywheel:event', wrapped);
  },
});
