import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * better-sqlite3 is compiled per runtime ABI. The CLI and tests use the Node build in
 * node_modules; `npm run rebuild:electron` puts an Electron build in native/electron/
 * so neither replaces the other.
 */
export function electronNativeBinding(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'native', 'electron', 'better_sqlite3.node');
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return null;
}
