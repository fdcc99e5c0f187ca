/**
 * The helper's side of spawn-helper: one way to talk to the host, whether the helper was forked
 * by Node (process.send, 'message', 'disconnect') or started by Electron's utilityProcess
 * (process.parentPort, whose messages arrive as { data }).
 */
export interface ParentPort<Incoming> {
  /** onSent runs once the message has been handed to the channel. */
  send(message: unknown, onSent?: () => void): void;
  onMessage(listener: (message: Incoming) => void): void;
  onceMessage(listener: (message: Incoming) => void): void;
  /** The host is gone (killed): a forked helper learns it from 'disconnect'. */
  onHostGone(listener: () => void): void;
  /** The helper has said all it will say: let the process end. */
  close(): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  once(event: 'message', listener: (event: { data: unknown }) => void): void;
}

/** How long a utility process waits for its last message to leave before it exits. */
const UTILITY_EXIT_GRACE_MS = 1000;

export function parentPort<Incoming>(): ParentPort<Incoming> {
  const electronPort = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      send: (message, onSent) => {
        electronPort.postMessage(message);
        onSent?.();
      },
      onMessage: (listener) => electronPort.on('message', (e) => listener(e.data as Incoming)),
      onceMessage: (listener) => electronPort.once('message', (e) => listener(e.data as Incoming)),
      // Chromium ends a utility process whose host has gone.
      onHostGone: () => undefined,
      // A utility process does not end when its work is done (electron/electron#47228).
      close: () => void setTimeout(() => process.exit(0), UTILITY_EXIT_GRACE_MS),
    };
  }
  return {
    send: (message, onSent) => void (onSent ? process.send!(message, () => onSent()) : process.send!(message)),
    onMessage: (listener) => process.on('message', (m) => listener(m as Incoming)),
    onceMessage: (listener) => process.once('message', (m) => listener(m as Incoming)),
    onHostGone: (listener) => process.once('disconnect', listener),
    close: () => {
      process.removeAllListeners('disconnect');
      process.disconnect();
    },
  };
}
