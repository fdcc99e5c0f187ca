import * as m0001 from './0001_init';
import * as m0002 from './0002_queue_and_columns';
import * as m0003 from './0003_models';
import * as m0004 from './0004_import_heartbeat';
import * as m0005 from './0005_eval_sets';
import * as m0006 from './0006_text_parts';
import * as m0007 from './0007_learner';
import * as m0008 from './0008_embeddings';
import * as m0009 from './0009_learner_control';

/** Every migration, in order. Append only: an applied migration is never edited. */
export const MIGRATION_MODULES: { id: number; name: string; sql: string }[] = [
  { id: 1, name: '0001_init', sql: m0001.sql },
  { id: 2, name: '0002_queue_and_columns', sql: m0002.sql },
  { id: 3, name: '0003_models', sql: m0003.sql },
  { id: 4, name: '0004_import_heartbeat', sql: m0004.sql },
  { id: 5, name: '0005_eval_sets', sql: m0005.sql },
  { id: 6, name: '0006_text_parts', sql: m0006.sql },
  { id: 7, name: '0007_learner', sql: m0007.sql },
  { id: 8, name: '0008_embeddings', sql: m0008.sql },
  { id: 9, name: '0009_learner_control', sql: m0009.sql },
];
