export type FuseName =
  | 'RunAsNode'
  | 'EnableCookieEncryption'
  | 'EnableNodeOptionsEnvironmentVariable'
  | 'EnableNodeCliInspectArguments'
  | 'EnableEmbeddedAsarIntegrityValidation'
  | 'OnlyLoadAppFromAsar'
  | 'LoadBrowserProcessSpecificV8Snapshot'
  | 'GrantFileProtocolExtraPrivileges'
  | 'WasmTrapHandlers';

export declare const ELECTRON_FUSES: Readonly<Record<FuseName, boolean>>;

export declare function fuseConfig(
  fuses: Readonly<Record<string, boolean>>,
  options?: { resetAdHocDarwinSignature?: boolean },
): Record<string, unknown>;

export declare function electronBinaryPath(target: {
  appOutDir: string;
  electronPlatformName: string;
  productFilename: string;
  executableName: string;
}): string;

export default function afterPack(context: {
  appOutDir: string;
  electronPlatformName: string;
  arch: number;
  packager: { appInfo: { productFilename: string }; executableName: string };
}): Promise<void>;
