import type { Transport } from '../../../shared/api/client';

interface Bridge {
  call(method: string, input: unknown): Promise<unknown>;
  subscribe(listener: (event: unknown) => void): () => void;
}

declare global {
  interface Window {
    flywheel?: Bridge;
  }
}

/** Electron: the preload bridge over one validated IPC channel. */
export function electronTransport(bridge: Bridge): Transport {
  return { call: (m, i) => bridge.call(m, i), subscribe: (l) => bridge.subscribe(l) };
}

export const TOKEN_KEY = 'flywheel.token';

/** Browser mode: the token arrives once in the URL fragment, then lives in this tab's session storage. */
export function readToken(): string | null {
  const match = /token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, match[1]!);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function httpTransport(token: string): Transport {
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  return {
    async call(method, input) {
      const res = await fetch(`/api/call/${method}`, { method: 'POST', headers, body: JSON.stringify(input ?? {}) });
      return res.json();
    },
    subscribe(listener) {
      const abort = new AbortController();
      void (async () => {
        while (!abort.signal.aborted) {
          try {
            const res = await fetch('/api/events', { headers, signal: abort.signal });
            const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
            let buffer = '';
            for (;;) {
              const { value, done } = await reader.read();
              if (done) break;
              buffer += value;
              let end: number;
              while ((end = buffer.indexOf('\n\n')) >= 0) {
                const frame = buffer.slice(0, end);
                buffer = buffer.slice(end + 2);
                if (frame.startsWith('data: ')) listener(JSON.parse(frame.slice(6)));
              }
            }
          } catch {
            // reconnect below
          }
          await new Promise((r) => setTimeout(r, 2000));
        }
      })();
      return () => abort.abort();
    },
  };
}
