import { APP_HOST, APP_SCHEME } from './app-protocol';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The dev server's URL (`electron-vite dev` sets ELECTRON_RENDERER_URL), honoured only in an
 * unpackaged app and only on this machine: a packaged app ignores the variable, so no one can
 * point an installed workbench at another page that would then pass the sender check.
 */
export function rendererDevUrl(env: Record<string, string | undefined>, isPackaged: boolean): string | null {
  const raw = env['ELECTRON_RENDERER_URL'];
  if (isPackaged || !raw) return null;
  try {
    const url = new URL(raw);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK.has(url.hostname)) return url.href;
  } catch {
    // not a URL: no dev server
  }
  return null;
}

/** Whether a URL is the workbench page: app://workbench/…, or the dev server's origin where one is honoured. */
export function isWorkbenchUrl(url: string | null | undefined, devUrl: string | null): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === `${APP_SCHEME}:`) {
    // A non-special scheme has the opaque origin "null", so compare its parts.
    return parsed.host === APP_HOST && !parsed.username && !parsed.password;
  }
  return devUrl !== null && parsed.origin === new URL(devUrl).origin;
}

/**
 * Whether an IPC call comes from the workbench page itself: its top frame, on its origin. The page
 * has no frames of its own, so a subframe is never the page, whatever its URL.
 */
export function isWorkbenchSender(
  frame: { url: string; parent: unknown } | null | undefined,
  devUrl: string | null,
): boolean {
  return !!frame && frame.parent === null && isWorkbenchUrl(frame.url, devUrl);
}

/** Navigation (will-navigate, will-frame-navigate, will-redirect) stays on the workbench page. */
export function isNavigationAllowed(url: string | null | undefined, devUrl: string | null): boolean {
  return isWorkbenchUrl(url, devUrl);
}

/**
 * Web permissions the workbench page may have: none. It uses no camera, microphone, location,
 * notifications, clipboard API, fullscreen, MIDI, HID, serial or USB; copying is the user's own
 * keyboard shortcut, which needs no permission.
 */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set<string>();

/** The decision of the session's permission request and check handlers. */
export function isPermissionAllowed(permission: string, requestingUrl: string, devUrl: string | null): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isWorkbenchUrl(requestingUrl, devUrl);
}
