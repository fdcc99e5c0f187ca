import * as m0001 from './0001_init';

/** Every migration, in order. Append only: an applied migration is never edited. */
export const MIGRATION_MODULES: { id: number; name: string; sql: string }[] = [
  { id: 1, name: '0001_init', sql: m0001.sql },
];
