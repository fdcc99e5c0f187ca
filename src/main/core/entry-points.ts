import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finds a built entry (out/main/NAME.js) for a worker thread or child process. Bundled
 * code may sit in out/main or a chunk folder below it; tests running from source use the
 * build in out/main, which the test command makes first.
 */
export function builtEntry(name: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    for (const candidate of [path.join(dir, `${name}.js`), path.join(dir, 'out', 'main', `${name}.js`)]) {
      if (fs.existsSync(candidate)) return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`cannot find the built entry '${name}.js': run \`npm run build\` first`);
}
