import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import { defaultDataDir } from '../../core/create-context';
import { LOOPBACK_HOSTS, parsePublicHost, WILDCARD_HOSTS, type PublicHost } from '../../server/allowed-hosts';
import { startHttpServer } from '../../server/http-server';
import { loadOrCreateToken } from '../../server/token';
import type { CliValues } from '../index';
import { openCliContext, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';

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

/** Where a browser on another machine opens the workbench (a port of 443 means a TLS proxy in front). */
function publicOrigin(h: PublicHost, boundPort: number): string {
  if (h.port === 443) return `https://${h.name}`;
  if (h.port === 80) return `http://${h.name}`;
  return `http://${h.name}:${h.port ?? boundPort}`;
}

export async function serveCommand(opts: GlobalOptions, values: CliValues): Promise<number> {
  const host = values.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host) && !values['allow-remote']) {
    throw new UsageError(
      `binding ${host} makes the workbench reachable from other machines: add --allow-remote (the access token is still required)`,
    );
  }
  let publicHosts: PublicHost[];
  try {
    publicHosts = (values['public-host'] ?? []).map(parsePublicHost);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (WILDCARD_HOSTS.has(host) && publicHosts.length === 0) {
    throw new UsageError(
      `--host ${host} listens on every address, but a browser names this machine in its Host header and any ` +
        `name not listed is refused (DNS rebinding): add --public-host NAME for each name or address browsers ` +
        `use (e.g. --public-host ${os.hostname().toLowerCase()} --public-host 192.168.1.20)`,
    );
  }
  const port = values.port === undefined ? 4780 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0..65535');
  // The token is the user's own, in their data folder, wherever --db points (perhaps a shared folder).
  const token = loadOrCreateToken(defaultDataDir());
  const ctx = openCliContext(opts, 'server');
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  try {
    server = await startHttpServer(ctx, { host, port, token, staticDir: rendererDir(), publicHosts });
  } catch (e) {
    await ctx.dispose();
    throw e;
  }
  const link = `${server.url}#token=${token}`;
  const publicLinks = publicHosts.map((h) => `${publicOrigin(h, server.port)}/#token=${token}`);
  if (opts.json)
    process.stdout.write(
      `${JSON.stringify({ url: server.url, port: server.port, link, publicLinks, database: ctx.store.path })}\n`,
    );
  else
    process.stdout.write(
      `Flywheel Workbench (browser mode) on ${server.url}\nDatabase: ${ctx.store.path}\n` +
        (WILDCARD_HOSTS.has(host) ? '' : `Open: ${link}\n`) +
        publicLinks.map((l) => `Open from other machines: ${l}\n`).join('') +
        'Ctrl-C stops it.\n',
    );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await ctx.dispose();
  return EXIT.ok;
}
