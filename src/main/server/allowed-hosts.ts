/** Addresses that listen on every interface: no browser names them, so the machine's names must be given. */
export const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);
export const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** A name the browser may put in the Host header; without a port it means the port the server listens on. */
export interface PublicHost {
  name: string;
  port?: number;
}

/**
 * Parses `--public-host` values: `NAME`, `NAME:PORT`, `[IPv6]`, `[IPv6]:PORT` or a bare IPv6
 * address. Throws with a message for the person typing it.
 */
export function parsePublicHost(raw: string): PublicHost {
  const text = raw.trim().toLowerCase();
  let name: string;
  let port: string | undefined;
  const bracketed = /^(\[[0-9a-f:.]+\])(?::(\d+))?$/.exec(text);
  if (bracketed) [, name, port] = bracketed as unknown as [string, string, string | undefined];
  else if (/^[0-9a-f:.]+$/.test(text) && text.split(':').length > 2) name = `[${text}]`;
  else {
    const plain = /^([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::(\d+))?$/.exec(text);
    if (!plain)
      throw new Error(`--public-host ${raw}: give a host name or address, optionally with :PORT (myhost.lan:4780)`);
    [, name, port] = plain as unknown as [string, string, string | undefined];
  }
  if (port === undefined) return { name: name! };
  const n = Number(port);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`--public-host ${raw}: the port must be 1..65535`);
  return { name: name!, port: n };
}

function bracket(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * Host header values (also Origin without its scheme) the server answers: the bound address, the
 * loopback names where it listens on loopback, and each public host. A browser leaves out a
 * default port (80, 443), so a public host given with one is also accepted bare.
 */
export function allowedHostSet(boundHost: string, port: number, publicHosts: readonly PublicHost[] = []): Set<string> {
  const allowed = new Set<string>();
  const names = [boundHost];
  if (LOOPBACK_HOSTS.has(boundHost) || WILDCARD_HOSTS.has(boundHost)) names.push('127.0.0.1', 'localhost', '[::1]');
  for (const name of names) allowed.add(`${bracket(name)}:${port}`.toLowerCase());
  for (const h of publicHosts) {
    const p = h.port ?? port;
    allowed.add(`${bracket(h.name)}:${p}`.toLowerCase());
    if (p === 80 || p === 443) allowed.add(bracket(h.name).toLowerCase());
  }
  return allowed;
}
