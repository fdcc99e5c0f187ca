/**
 * The workbench window's webPreferences: the page runs sandboxed, isolated from its preload and
 * from Node, with web security on; DevTools exist only in an unpackaged (development) app.
 */
export function workbenchWebPreferences(preload: string, isPackaged: boolean) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    devTools: !isPackaged,
    spellcheck: false,
  } as const;
}
