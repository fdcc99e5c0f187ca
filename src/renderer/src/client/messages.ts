import type { ApiClient } from '../../../shared/api/client';
import { ApiError, type ApiErrorData } from '../../../shared/api/errors';

/** An API method name at the start of a message ("export.start: "), which people never typed. */
const METHOD_PREFIX = /^[a-z]+\.[a-zA-Z]+(?: produced an invalid result)?: /;
/** A validation path before its message ("split.fractions.0: ", "annotators: ") in a list of problems. */
const FIELD_PATH = /(^|; )[A-Za-z]+(?:\.[A-Za-z0-9]+)*: /g;
/** Command-line advice in brackets ("(… --label-source human+model …)"), which a screen says with its own controls. */
const CLI_ADVICE = /\s*\([^()]*--[a-z][a-z-]+[^()]*\)/g;
/** A flag left in a sentence: named in words ("--label-source" → "label source"). */
const CLI_FLAG = /--([a-z][a-z-]+)/g;

const FIELD_WORDS: Record<string, string> = {
  name: 'Name',
  split: 'Split',
  fractions: 'Split fractions',
  cutoffs: 'Split cut-offs',
  annotators: 'Annotators',
  groupBy: 'Group by',
  from: 'From',
  to: 'To',
  seed: 'Seed',
  labels: 'Labels',
  comment: 'Comment',
};

function fieldsInWords(message: string): string {
  return message.replace(FIELD_PATH, (whole: string, sep: string) => {
    const field = whole.slice(sep.length, -2).split('.');
    const named = [...field].reverse().find((f) => FIELD_WORDS[f]);
    return `${sep}${named ? `${FIELD_WORDS[named]}: ` : ''}`;
  });
}

const BY_CODE: Partial<Record<ApiErrorData['code'], string>> = {
  'unknown-method': 'This page and the workbench do not match (it was probably updated): reload the page.',
  unauthorized: 'This page lost its access: open the address the workbench server printed when it started.',
  internal: 'Something went wrong inside the workbench',
};

/** A refusal or failure as a sentence for people: no method names, field paths or command-line flags. */
export function inWords(error: ApiErrorData): string {
  const fixed = BY_CODE[error.code];
  if (fixed && error.code !== 'internal') return fixed;
  let message = error.message.replace(METHOD_PREFIX, '');
  if (error.code === 'invalid-input') message = fieldsInWords(message);
  message = message
    .replace(CLI_ADVICE, '')
    .replace(CLI_FLAG, (_, flag: string) => `the ${flag.replace(/-/g, ' ')} setting`)
    .trim();
  if (error.code === 'internal')
    return `${fixed}: ${message || 'no details'}. Try again; if it happens again, restart it.`;
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** What to say when a call fails before any answer came (network gone, server stopped). */
const NO_ANSWER = 'The workbench did not answer: check that it is still running, then try again.';

/** A client whose errors carry messages for people; codes and details stay for screens that branch on them. */
export function forPeople(client: ApiClient): ApiClient {
  return {
    async call(method, input) {
      try {
        return await client.call(method, input);
      } catch (e) {
        if (e instanceof ApiError) throw new ApiError(e.code, inWords(e.toData()), e.details);
        if (e instanceof TypeError) throw new ApiError('internal', NO_ANSWER);
        throw e;
      }
    },
    onEvent: (listener) => client.onEvent(listener),
  };
}
