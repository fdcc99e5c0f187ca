import { describe, expect, it } from 'vitest';
import { workbenchWebPreferences } from './web-preferences';

describe('the workbench window', () => {
  it('is sandboxed and isolated from Node, with web security on', () => {
    const prefs = workbenchWebPreferences('/app/out/preload/index.cjs', true);
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
  });

  it('has DevTools only when not packaged', () => {
    expect(workbenchWebPreferences('p', true).devTools).toBe(false);
    expect(workbenchWebPreferences('p', false).devTools).toBe(true);
  });
});
