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

/** Fetches a package from the npm registry and unpacks it into node_modules, running no install script. */
function unpackPackage(name, spec) {
  const target = path.join(root, 'node_modules', name);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flywheel-pkg-'));
  try {
    const out = execFileSync(npm, ['pack', `${name}@${spec}`, '--pack-destination', tmp, '--silent'], {
      cwd: tmp,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const tarball = path.join(tmp, out.trim().split('\n').pop());
    fs.mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function installed(name) {
  return fs.existsSync(path.join(root, 'node_modules', name, 'package.json'));
}

function ensureElectronPackage() {
  if (installed('electron')) return;
  unpackPackage('electron', pkg.optionalDependencies.electron);
  console.log(`build: the Electron runtime download is not available here; installed the electron package without it.`);
  console.log(
    'build: `npm start` will use browser mode. With internet access, `npm rebuild electron` fetches the runtime.',
  );
}

// onnxruntime-node bundles its CPU and WebGPU providers; its install step downloads the CUDA
// provider from NuGet. Where that host is unreachable npm drops the (optional) package: unpack it
// (and its runtime dependency) without the download, so CPU and WebGPU still work.
function ensureOnnxRuntime() {
  if (installed('onnxruntime-node') && installed('onnxruntime-common')) return;
  const version = pkg.optionalDependencies['onnxruntime-node'];
  if (!installed('onnxruntime-node')) unpackPackage('onnxruntime-node', version);
  if (!installed('onnxruntime-common')) unpackPackage('onnxruntime-common', version);
  console.log(
    'build: the CUDA provider download is not available here; installed onnxruntime-node with CPU and WebGPU only.',
  );
  console.log('build: with internet access, `npm rebuild onnxruntime-node` fetches the CUDA provider.');
}

if (process.env.FLYWHEEL_SKIP_PREPARE !== '1') {
  ensureElectronPackage();
  ensureOnnxRuntime();
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
