import { describe, expect, it } from 'vitest';
import { helperRuntime, spawnHelper } from './spawn-helper';
import { builtEntry } from './entry-points';

describe('helper processes', () => {
  it('start with utilityProcess in Electron main only', () => {
    expect(helperRuntime({ versions: { node: '22.0.0', electron: '45.4.1' }, type: 'browser' })).toBe(
      'utility-process',
    );
    // A utility process or a renderer starting a helper would not have utilityProcess.
    expect(helperRuntime({ versions: { node: '22.0.0', electron: '45.4.1' }, type: 'utility' })).toBe('child-process');
    expect(helperRuntime({ versions: { node: '20.19.0' } })).toBe('child-process');
    expect(helperRuntime(process as { versions: NodeJS.ProcessVersions; type?: string })).toBe('child-process');
  });

  it('are forked Node processes with an IPC channel in the CLI and the server', async () => {
    const child = spawnHelper<{ type: string; error?: string }>(builtEntry('parquet-reader'), {
      execArgv: [],
      stderr: 'ignore',
    });
    const reply = new Promise<{ type: string; error?: string }>((resolve) => child.once('message', resolve));
    child.send({ type: 'sample', path: '/nonexistent/file.parquet', n: 1 });
    expect(await reply).toMatchObject({ type: 'sample', error: expect.any(String) });
    expect(child.connected).toBe(true);
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (code, signal) => resolve([code, signal])),
    );
    child.kill('SIGKILL');
    expect(await exited).toEqual([null, 'SIGKILL']);
  });
});
