import { describe, expect, it } from 'vitest';
import { inWords } from './messages';

describe('messages for people', () => {
  it('drops method names and validation paths, naming the field as the screen does', () => {
    expect(
      inWords({
        code: 'invalid-input',
        message: 'export.start: name: use letters, digits, dots, dashes and underscores (no slashes)',
      }),
    ).toBe('Name: use letters, digits, dots, dashes and underscores (no slashes)');
    expect(
      inWords({
        code: 'invalid-input',
        message: 'export.preview: split.fractions.0: Too small: expected number to be >=0',
      }),
    ).toBe('Split fractions: Too small: expected number to be >=0');
  });

  it('leaves out command-line advice', () => {
    const message = inWords({
      code: 'conflict',
      message:
        "project 'p' has no examples to export under label schema v1 with these filters (labeled by people; --label-source human+model adds the model’s labels)",
    });
    expect(message).toBe("Project 'p' has no examples to export under label schema v1 with these filters");
    expect(message).not.toContain('--');
    expect(inWords({ code: 'conflict', message: 'export exists: use --force to replace it' })).toBe(
      'Export exists: use the force setting to replace it',
    );
  });

  it('says what to do for a lost token, a stale page and an internal failure', () => {
    expect(inWords({ code: 'unauthorized', message: 'missing or wrong access token' })).toMatch(/lost its access/);
    expect(inWords({ code: 'unknown-method', message: "no API method named 'x.y'" })).toMatch(/reload the page/);
    expect(inWords({ code: 'internal', message: 'export.start produced an invalid result: rows: bad' })).toMatch(
      /^Something went wrong inside the workbench: rows: bad\. Try again/,
    );
  });
});
