import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import { startHttpServer } from '../../server/http-server';
import { loadOrCreateToken } from '../../server/token';
import type { CliValues } from '../index';
import { openCliContext, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function rendererDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    for (const c of [path.join(dir, 'renderer'), path.join(dir, 'out', 'renderer')]) {
      if (fs.existsSync(path.join(c, 'index.html'))) return c;
    }
    dir = path.dirname(dir);
  }
  return path.resolve('out/renderer');
}

export async function serveCommand(opts: GlobalOptions, values: CliValues): Promise<number> {
  const host = values.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host) && !values['allow-remote']) {
    throw new UsageError(
      `binding ${host} makes the workbench reachable from other machines: add --allow-remote (the access token is still required)`,
    );
  }
  const port = values.port === undefined ? 4780 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0..65535');
  const ctx = openCliContext(opts);
  const token = loadOrCreateToken(ctx.dataDir);
  const server = await startHttpServer(ctx, { host, port, token, staticDir: rendererDir() });
  const link = `${server.url}#token=${token}`;
  if (opts.json)
    process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port, link, database: ctx.store.path })}\n`);
  else
    process.stdout.write(
      `Flywheel Workbench (browser mode) on ${server.url}\nDatabase: ${ctx.store.path}\nOpen: ${link}\nCtrl-C stops it.\n`,
    );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await ctx.dispose();
  return EXIT.ok;
}
