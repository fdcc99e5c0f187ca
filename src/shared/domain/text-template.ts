/**
 * A text template such as `{subject}\n{body}`: fixed text with fields in braces. `{{` and `}}`
 * write a brace. Used by import mappings (an example's text from several log fields) and by model
 * input mappings (what a model reads, from an example's text parts and metadata).
 */
export interface TextTemplate {
  source: string;
  /** Fixed text and field names, alternating: pieces[0] is text, pieces[1] a field, … */
  pieces: string[];
  /** The fields it names, each once, in order of first use. */
  fields: string[];
}

/** Throws an Error saying what is wrong with the template. */
export function parseTemplate(source: string): TextTemplate {
  const pieces: string[] = [];
  let text = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if ((c === '{' || c === '}') && source[i + 1] === c) {
      text += c;
      i++;
    } else if (c === '}') {
      throw new Error(`template '${source}': a lone '}' at character ${i + 1} (write '}}' for a brace)`);
    } else if (c === '{') {
      const end = source.indexOf('}', i + 1);
      if (end < 0) throw new Error(`template '${source}': '{' at character ${i + 1} is never closed`);
      const name = source.slice(i + 1, end);
      if (name.trim() === '' || name.includes('{'))
        throw new Error(`template '${source}': '{${name}}' is not a field name`);
      pieces.push(text, name);
      text = '';
      i = end;
    } else text += c;
  }
  pieces.push(text);
  const fields = [...new Set(pieces.filter((_, i) => i % 2 === 1))];
  if (fields.length === 0) throw new Error(`template '${source}' names no field: write fields in braces, as {body}`);
  return { source, pieces, fields };
}

/** The template with each field's value (a missing value is an empty string). */
export function renderTemplate(t: TextTemplate, value: (field: string) => string | undefined): string {
  let out = t.pieces[0]!;
  for (let i = 1; i < t.pieces.length; i += 2) out += (value(t.pieces[i]!) ?? '') + t.pieces[i + 1]!;
  return out;
}

/** Whether a template is valid, for zod refinements; the error names what is wrong. */
export function templateProblem(source: string): string | null {
  try {
    parseTemplate(source);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** A field name as a one-field template (`query` → `{query}`); a template stays as it is. */
export function asTemplate(fieldOrTemplate: string): string {
  return /[{}]/.test(fieldOrTemplate) ? fieldOrTemplate : `{${fieldOrTemplate}}`;
}

/** An example's text parts as stored: [name, text] pairs in the template's order. */
export type TextParts = [string, string][];

/** Stored text parts as the API gives them (null: the text came from no template). */
export function readTextParts(stored: string | null): { name: string; text: string }[] | null {
  return stored ? (JSON.parse(stored) as TextParts).map(([name, text]) => ({ name, text })) : null;
}
