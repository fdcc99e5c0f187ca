// `npm run build` (and `npm install`, as its prepare step): makes sure the build can run,
// then builds main, preload and renderer with electron-vite.
//
// Electron's own install step downloads the runtime from a host that some machines cannot
// reach; npm then drops the (optional) package. Its package.json is still needed by the
// build (electron-vite reads the version), so fetch the package itself from the npm
// registry without running that download. Where the download works, nothing changes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function ensureElectronPackage() {
  const target = path.join(root, 'node_modules', 'electron');
  if (fs.existsSync(path.join(target, 'package.json'))) return;
  const range = pkg.optionalDependencies.electron;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flywheel-electron-'));
  try {
    const out = execFileSync(npm, ['pack', `electron@${range}`, '--pack-destination', tmp, '--silent'], {
      cwd: tmp,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const tarball = path.join(tmp, out.trim().split('\n').pop());
    fs.mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
    console.log(
      `build: the Electron runtime download is not available here; installed the electron package without it.`,
    );
    console.log(
      'build: `npm start` will use browser mode. With internet access, `npm rebuild electron` fetches the runtime.',
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.env.FLYWHEEL_SKIP_PREPARE !== '1') {
  ensureElectronPackage();
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
