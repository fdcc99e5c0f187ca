import { describe, expect, it } from 'vitest';
import {
  isNavigationAllowed,
  isPermissionAllowed,
  isWorkbenchSender,
  isWorkbenchUrl,
  rendererDevUrl,
} from './trusted-origin';

const top = (url: string) => ({ url, parent: null });
const DEV = 'http://localhost:5173/';

describe('the dev server URL', () => {
  it('is honoured only in an unpackaged app, only on this machine', () => {
    expect(rendererDevUrl({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, false)).toBe(DEV);
    expect(rendererDevUrl({ ELECTRON_RENDERER_URL: 'http://127.0.0.1:5173/' }, false)).toBe('http://127.0.0.1:5173/');
    expect(rendererDevUrl({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, true)).toBeNull();
    expect(rendererDevUrl({ ELECTRON_RENDERER_URL: 'https://evil.example/' }, false)).toBeNull();
    expect(rendererDevUrl({ ELECTRON_RENDERER_URL: 'file:///tmp/page.html' }, false)).toBeNull();
    expect(rendererDevUrl({ ELECTRON_RENDERER_URL: 'not a url' }, false)).toBeNull();
    expect(rendererDevUrl({}, false)).toBeNull();
  });
});

describe('IPC sender check', () => {
  it('accepts the workbench page', () => {
    expect(isWorkbenchSender(top('app://workbench/index.html'), null)).toBe(true);
    expect(isWorkbenchSender(top('app://workbench/'), null)).toBe(true);
    expect(isWorkbenchSender(top('http://localhost:5173/'), DEV)).toBe(true);
  });

  it('refuses any file:// page, which the old check let through', () => {
    expect(isWorkbenchSender(top('file:///home/user/Downloads/evil.html'), null)).toBe(false);
    expect(isWorkbenchSender(top('file:///app/out/renderer/index.html'), null)).toBe(false);
  });

  it('refuses the dev server origin in a packaged app, and look-alikes of it', () => {
    // Packaged: rendererDevUrl gave null, whatever ELECTRON_RENDERER_URL says.
    expect(isWorkbenchSender(top('http://localhost:5173/'), null)).toBe(false);
    // The old check compared prefixes: http://localhost:51730 started with http://localhost:5173.
    expect(isWorkbenchSender(top('http://localhost:51730/'), 'http://localhost:5173')).toBe(false);
    expect(isWorkbenchSender(top('http://localhost:5173.evil.example/'), 'http://localhost:5173')).toBe(false);
  });

  it('refuses other origins, subframes and missing frames', () => {
    for (const url of [
      'app://workbench.evil/index.html',
      'app://evil/index.html',
      'app://workbench@evil/',
      'app://user:pw@workbench/',
      'https://example.com/',
      'about:blank',
      'data:text/html,<script>1</script>',
      '',
    ]) {
      expect(isWorkbenchSender(top(url), DEV), url).toBe(false);
    }
    expect(isWorkbenchSender({ url: 'app://workbench/index.html', parent: {} }, null)).toBe(false);
    expect(isWorkbenchSender(null, null)).toBe(false);
    expect(isWorkbenchSender(undefined, null)).toBe(false);
  });
});

describe('navigation', () => {
  it('stays on the workbench page', () => {
    expect(isNavigationAllowed('app://workbench/index.html', null)).toBe(true);
    expect(isNavigationAllowed('http://localhost:5173/index.html', DEV)).toBe(true);
    for (const url of [
      'https://example.com/',
      'http://localhost:5173/',
      'file:///etc/passwd',
      'app://other/',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(isNavigationAllowed(url, null), url).toBe(false);
    }
    expect(isWorkbenchUrl(undefined, null)).toBe(false);
  });
});

describe('web permissions', () => {
  it('are all refused, to the workbench page too', () => {
    for (const permission of [
      'clipboard-read',
      'clipboard-sanitized-write',
      'media',
      'display-capture',
      'geolocation',
      'notifications',
      'midi',
      'midiSysex',
      'pointerLock',
      'fullscreen',
      'openExternal',
      'window-management',
      'hid',
      'serial',
      'usb',
      'storage-access',
      'unknown',
    ]) {
      expect(isPermissionAllowed(permission, 'app://workbench/index.html', null), permission).toBe(false);
      expect(isPermissionAllowed(permission, 'https://example.com/', null), permission).toBe(false);
    }
  });
});
