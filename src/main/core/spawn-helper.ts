import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';

/**
 * A helper process (model, export, Parquet reader) as its host sees it: the part of Node's
 * ChildProcess the hosts use, so the CLI and the server keep getting a plain `child_process.fork`.
 */
export interface HelperProcess<Incoming = unknown> {
  readonly pid?: number | undefined;
  readonly stderr: Readable | null;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  readonly connected: boolean;
  send(message: unknown, callback?: (error: Error | null) => void): boolean;
  kill(signal?: NodeJS.Signals): boolean;
  on(event: 'message', listener: (message: Incoming) => void): this;
  on(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  once(event: 'message', listener: (message: Incoming) => void): this;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
}

export interface HelperOptions {
  /** Flags for the helper's runtime; left out, a forked child inherits the parent's. */
  execArgv?: string[];
  /** 'pipe' to read the helper's stderr (for the last line of a crash), else 'ignore'. */
  stderr: 'pipe' | 'ignore';
}

/** The part of Electron's UtilityProcess used here (the electron package may be absent). */
interface UtilityProcessLike {
  readonly pid: number | undefined;
  readonly stderr: Readable | null;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: 'message', listener: (message: unknown) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  on(event: 'error', listener: (type: string, location: string) => void): void;
}

interface UtilityProcessApi {
  fork(
    modulePath: string,
    args: string[],
    options: { execArgv?: string[]; stdio: ['ignore', 'ignore', 'pipe' | 'ignore']; serviceName: string },
  ): UtilityProcessLike;
}

export type HelperRuntime = 'utility-process' | 'child-process';

/**
 * Electron's main process starts helpers with utilityProcess: a packaged app has the RunAsNode
 * fuse off, so its binary can no longer be forked as Node. Everything else (the CLI, the
 * server, tests, an Electron utility process itself) forks Node as before.
 */
export function helperRuntime(proc: { versions: Partial<Record<string, string>>; type?: string }): HelperRuntime {
  return proc.versions['electron'] !== undefined && proc.type === 'browser' ? 'utility-process' : 'child-process';
}

/** Starts the built entry `entry` as a helper process with an IPC channel to this one. */
export function spawnHelper<Incoming>(entry: string, options: HelperOptions): HelperProcess<Incoming> {
  if (helperRuntime(process as { versions: NodeJS.ProcessVersions; type?: string }) === 'utility-process') {
    const { utilityProcess } = createRequire(import.meta.url)('electron') as { utilityProcess: UtilityProcessApi };
    const child = utilityProcess.fork(entry, [], {
      ...(options.execArgv ? { execArgv: options.execArgv } : {}),
      stdio: ['ignore', 'ignore', options.stderr],
      serviceName: `Flywheel ${entry.replace(/^.*[\\/]/, '').replace(/\.js$/, '')}`,
    });
    return new UtilityHelper<Incoming>(child);
  }
  return fork(entry, [], {
    serialization: 'advanced',
    ...(options.execArgv ? { execArgv: options.execArgv } : {}),
    stdio: ['ignore', 'ignore', options.stderr, 'ipc'],
  });
}

/** A utility process dressed as a ChildProcess: postMessage for send, an exit code and no signal. */
class UtilityHelper<Incoming> extends EventEmitter implements HelperProcess<Incoming> {
  exitCode: number | null = null;
  readonly signalCode = null;
  connected = true;

  constructor(private readonly child: UtilityProcessLike) {
    super();
    child.on('message', (message) => this.emit('message', message));
    child.on('exit', (code) => {
      this.exitCode = code;
      this.connected = false;
      this.emit('exit', code, null);
    });
    child.on('error', (type, location) => {
      if (this.listenerCount('error') > 0) this.emit('error', new Error(`${type} (${location})`));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stderr(): Readable | null {
    return this.child.stderr;
  }

  send(message: unknown, callback?: (error: Error | null) => void): boolean {
    if (!this.connected) {
      callback?.(new Error('the helper process has exited'));
      return false;
    }
    this.child.postMessage(message);
    callback?.(null);
    return true;
  }

  /** Utility processes end with SIGTERM (and are reaped); the signal asked for is not available. */
  kill(): boolean {
    return this.connected ? this.child.kill() : false;
  }
}
