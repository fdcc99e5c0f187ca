import { createClient, type ApiClient } from '../../../shared/api/client';
import { forPeople } from './messages';
import { electronTransport, httpTransport, readToken } from './transports';

export type Connection = { client: ApiClient; mode: 'electron' | 'browser' } | { client: null; problem: string };

export function connect(): Connection {
  if (window.flywheel) return { client: forPeople(createClient(electronTransport(window.flywheel))), mode: 'electron' };
  const token = readToken();
  if (!token)
    return {
      client: null,
      problem:
        'This page needs its access link: open the address the workbench server printed when it started (it ends in #token=…).',
    };
  return { client: forPeople(createClient(httpTransport(token))), mode: 'browser' };
}
