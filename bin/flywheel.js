#!/usr/bin/env node
// The `flywheel` command: runs the built CLI (npm install builds it; `npm run build` refreshes it).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('flywheel: the CLI is not built yet: run `npm run build` in the workbench folder\n');
  process.exit(1);
}
await import(pathToFileURL(cli).href);
