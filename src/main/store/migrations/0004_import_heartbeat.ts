// Schema version 4: an import run's lock dies with its holder. The running import refreshes
// heartbeat_at every few seconds; a run whose heartbeat is older than the expiry is dead whatever
// its owner_host and owner_pid say (a killed process, a renamed host, a reused pid).
export const sql = /* sql */ `
ALTER TABLE import_runs ADD COLUMN heartbeat_at INTEGER;
`;
