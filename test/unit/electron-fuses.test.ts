import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import afterPack, { ELECTRON_FUSES, electronBinaryPath, fuseConfig } from '../../scripts/electron-fuses.mjs';

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ENABLE = 0x31;
const DISABLE = 0x30;

/** A stand-in for an Electron binary: bytes around a V1 fuse wire with every fuse at `initial`. */
function fakeBinary(dir: string, name: string, wireLength: number, initial: number): string {
  const file = path.join(dir, name);
  const wire = Buffer.alloc(wireLength, initial);
  fs.writeFileSync(
    file,
    Buffer.concat([Buffer.alloc(4096, 7), Buffer.from(SENTINEL), Buffer.from([1, wireLength]), wire, Buffer.alloc(64)]),
  );
  return file;
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flywheel-fuses-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('Electron fuses', () => {
  it('turn off running as Node, NODE_OPTIONS and --inspect; load only a checked app.asar', () => {
    expect(ELECTRON_FUSES.RunAsNode).toBe(false);
    expect(ELECTRON_FUSES.EnableNodeOptionsEnvironmentVariable).toBe(false);
    expect(ELECTRON_FUSES.EnableNodeCliInspectArguments).toBe(false);
    expect(ELECTRON_FUSES.EnableEmbeddedAsarIntegrityValidation).toBe(true);
    expect(ELECTRON_FUSES.OnlyLoadAppFromAsar).toBe(true);
    expect(ELECTRON_FUSES.GrantFileProtocolExtraPrivileges).toBe(false);
  });

  it('decide every fuse @electron/fuses knows, by its own names', () => {
    const known = Object.keys(FuseV1Options).filter((k) => Number.isNaN(Number(k)));
    expect(Object.keys(ELECTRON_FUSES).sort()).toEqual(known.sort());
    const config = fuseConfig(ELECTRON_FUSES);
    expect(config['strictlyRequireAllFuses']).toBe(true);
    expect(config[FuseV1Options.RunAsNode]).toBe(false);
    expect(config[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
  });

  it('refuse a misspelt or missing fuse', () => {
    expect(() => fuseConfig({ ...ELECTRON_FUSES, RunAsNod: false })).toThrow(/unknown Electron fuse "RunAsNod"/);
    const { RunAsNode: _dropped, ...rest } = ELECTRON_FUSES;
    expect(() => fuseConfig(rest)).toThrow(/not decided.*RunAsNode/);
  });

  it('find the packaged binary on each platform', () => {
    const target = { appOutDir: '/out', productFilename: 'Flywheel Workbench', executableName: 'flywheel-workbench' };
    expect(electronBinaryPath({ ...target, electronPlatformName: 'linux' })).toBe(
      path.join('/out', 'flywheel-workbench'),
    );
    expect(electronBinaryPath({ ...target, electronPlatformName: 'win32' })).toBe(
      path.join('/out', 'Flywheel Workbench.exe'),
    );
    expect(electronBinaryPath({ ...target, electronPlatformName: 'darwin' })).toBe(
      path.join('/out', 'Flywheel Workbench.app'),
    );
  });

  it('are written into the binary by the afterPack hook', async () => {
    const dir = tempDir();
    // Electron's defaults: the fuses this app turns off start on, and the reverse.
    const binary = fakeBinary(dir, 'flywheel-workbench', Object.keys(ELECTRON_FUSES).length, ENABLE);
    await afterPack({
      appOutDir: dir,
      electronPlatformName: 'linux',
      arch: 1,
      packager: { appInfo: { productFilename: 'Flywheel Workbench' }, executableName: 'flywheel-workbench' },
    });
    const wire = await getCurrentFuseWire(binary);
    for (const [name, on] of Object.entries(ELECTRON_FUSES)) {
      expect(wire[FuseV1Options[name as keyof typeof FuseV1Options]], name).toBe(on ? ENABLE : DISABLE);
    }
  });

  it('fail the build on an Electron with a fuse not decided here', async () => {
    const dir = tempDir();
    fakeBinary(dir, 'flywheel-workbench', Object.keys(ELECTRON_FUSES).length + 1, ENABLE);
    await expect(
      afterPack({
        appOutDir: dir,
        electronPlatformName: 'linux',
        arch: 1,
        packager: { appInfo: { productFilename: 'Flywheel Workbench' }, executableName: 'flywheel-workbench' },
      }),
    ).rejects.toThrow(/strictlyRequireAllFuses/);
  });
});
