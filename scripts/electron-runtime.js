// Where the Electron runtime is, if it was downloaded. Reads electron's own path.txt instead of
// require('electron'), which would try to download a missing runtime.
import fs from 'node:fs';
import path from 'node:path';

export function electronRuntime(root) {
  const pkg = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  if (!fs.existsSync(pathFile))
    return {
      ok: false,
      why: 'the Electron runtime is not downloaded (run `npm rebuild electron` with internet access to fetch it)',
    };
  const bin = path.join(pkg, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  if (!fs.existsSync(bin))
    return {
      ok: false,
      why: `the Electron runtime is missing (${bin}; run \`npm rebuild electron\` to fetch it again)`,
    };
  return { ok: true, bin };
}
