// electron-builder's afterPack hook (electron-builder.yml): sets the Electron fuses of the packaged
// binary, before it is signed. Fuses are switches compiled into the binary that no environment
// variable or flag can turn back at run time.
import path from 'node:path';
import { flipFuses, FuseV1Options, FuseVersion } from '@electron/fuses';

/** Every fuse of the V1 wire, each decided here; a fuse added by a later Electron fails the build until it is. */
export const ELECTRON_FUSES = Object.freeze({
  // `ELECTRON_RUN_AS_NODE=1 "Flywheel Workbench" script.js` would run any script as Node with the
  // app's signature. Off: the app starts its helpers (model, export, Parquet reader) with utilityProcess.
  RunAsNode: false,
  // The app keeps no cookies.
  EnableCookieEncryption: false,
  // NODE_OPTIONS cannot inject code (--require) or flags into the app.
  EnableNodeOptionsEnvironmentVariable: false,
  // --inspect and its kin cannot attach a debugger to the main process.
  EnableNodeCliInspectArguments: false,
  // app.asar must match the hash recorded at packaging (macOS and Windows; Linux has no check).
  EnableEmbeddedAsarIntegrityValidation: true,
  // The app runs from its app.asar only, never from an app folder placed beside it.
  OnlyLoadAppFromAsar: true,
  LoadBrowserProcessSpecificV8Snapshot: false,
  // The page is served from app://, so file:// pages need none of their old privileges.
  GrantFileProtocolExtraPrivileges: false,
  WasmTrapHandlers: true,
});

/** The flipFuses configuration for a fuse table (names as in @electron/fuses' FuseV1Options). */
export function fuseConfig(fuses, { resetAdHocDarwinSignature = false } = {}) {
  const config = { version: FuseVersion.V1, strictlyRequireAllFuses: true, resetAdHocDarwinSignature };
  for (const [name, value] of Object.entries(fuses)) {
    const index = FuseV1Options[name];
    if (typeof index !== 'number') throw new Error(`unknown Electron fuse "${name}" in scripts/electron-fuses.mjs`);
    if (typeof value !== 'boolean') throw new Error(`Electron fuse "${name}" must be true or false`);
    config[index] = value;
  }
  const undecided = Object.keys(FuseV1Options).filter((k) => Number.isNaN(Number(k)) && !(k in fuses));
  if (undecided.length > 0) {
    throw new Error(`Electron fuses not decided in scripts/electron-fuses.mjs: ${undecided.join(', ')}`);
  }
  return config;
}

/** Where electron-builder put the app's Electron binary (the .app bundle on macOS). */
export function electronBinaryPath({ appOutDir, electronPlatformName, productFilename, executableName }) {
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') {
    return path.join(appOutDir, `${productFilename}.app`);
  }
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${productFilename}.exe`);
  return path.join(appOutDir, executableName);
}

// electron-builder's Arch enum: arm64 = 3, universal = 4.
const ARM64_OR_UNIVERSAL = new Set([3, 4]);

export default async function afterPack(context) {
  const binary = electronBinaryPath({
    appOutDir: context.appOutDir,
    electronPlatformName: context.electronPlatformName,
    productFilename: context.packager.appInfo.productFilename,
    executableName: context.packager.executableName,
  });
  // Changing an arm64 macOS binary breaks its ad-hoc signature; flipFuses re-signs it ad hoc.
  const resetAdHocDarwinSignature = context.electronPlatformName === 'darwin' && ARM64_OR_UNIVERSAL.has(context.arch);
  await flipFuses(binary, fuseConfig(ELECTRON_FUSES, { resetAdHocDarwinSignature }));
}
