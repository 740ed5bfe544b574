/**
 * The YAML problems in peers.yaml, one line each, with the help a Windows user needs most:
 * `privateKey: "C:\Users\me\.ssh\id_ed25519"` is an error in YAML (inside double quotes a
 * backslash starts an escape, and `\U`, `\m`, `\.` are not escapes), and `"C:\temp\new"` is
 * worse: it parses, as `C:<TAB>emp<LF>ew`. Both get the same hint: single quotes keep
 * backslashes as they are, and Windows takes forward slashes too.
 */
import { isPair, isScalar, isSeq, visit, type Document, type Scalar } from 'yaml';
import { lineColumn } from '../contracts/utf8';

/** A double-quoted scalar as typed, with where it is in the file. */
interface Quoted {
  node: Scalar;
  /** Its key path, e.g. `peers.rtxserver.privateKey`. */
  path: string;
  /** The text between the quotes, as typed. */
  raw: string;
  start: number;
  end: number;
}

function keyPath(path: readonly unknown[], node: unknown): string {
  const parts: string[] = [];
  const chain = [...path, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const here = chain[i];
    const next = chain[i + 1];
    if (isPair(here) && isScalar(here.key)) parts.push(String(here.key.value));
    else if (isSeq(here)) parts.push(String(here.items.indexOf(next)));
  }
  return parts.join('.') || '(top level)';
}

function doubleQuoted(doc: Document, text: string): Quoted[] {
  const out: Quoted[] = [];
  visit(doc, {
    Scalar(key, node, path) {
      if (key === 'key' || node.type !== 'QUOTE_DOUBLE' || !node.range) return;
      const [start, end] = node.range;
      const source = text.slice(start, end);
      if (!source.startsWith('"') || !source.endsWith('"') || source.length < 2) return;
      out.push({ node, path: keyPath(path, node), raw: source.slice(1, -1), start, end });
    },
  });
  return out;
}

/** How to write the value instead: single-quoted as typed, or with forward slashes. */
function rewrite(raw: string): string {
  const single = `'${raw.replace(/'/g, "''")}'`;
  // `\\server\share` keeps its two leading slashes; elsewhere a doubled backslash is one separator
  const slashes = raw.replace(/^\\\\/, '//').replace(/(?!^)\\+/g, '/');
  // a forward-slash path is a plain YAML scalar unless it holds what plain scalars cannot
  const plain = /^[A-Za-z0-9~._/%$:-][^#'"]*$/.test(slashes) && !/: |\s$/.test(slashes);
  return `write it in single quotes, ${single}, or with forward slashes, ${plain ? slashes : `'${slashes.replace(/'/g, "''")}'`}`;
}

/** A Windows path typed in double quotes: a drive, `~`, a variable or `\\server`, then a backslash. */
function looksLikeWindowsPath(raw: string): boolean {
  return /^(?:[A-Za-z]:|~|%\w+%|\$(?:env:)?\w+|\\)?\\/.test(raw);
}

/** The first escape in `raw` that is not `\\` or `\"` (those keep a Windows path as typed). */
function firstRealEscape(raw: string): string | undefined {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== '\\') continue;
    const next = raw[i + 1];
    if (next === '\\' || next === '"') {
      i++;
      continue;
    }
    return `\\${next ?? ''}`;
  }
  return undefined;
}

/** A parsed value as a person can read it: controls and invisible characters named. */
function visible(value: unknown): string {
  const names: Record<string, string> = { '\t': '<TAB>', '\n': '<LF>', '\r': '<CR>' };
  return String(value).replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => names[c] ?? `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`,
  );
}

/**
 * `line L, column C` of a character offset in the text (the YAML parser's positions), counted as
 * the input gate counts them (contracts/utf8.ts): a column is a character, CR LF one break.
 */
function lineColumnOf(text: string, offset: number): string {
  const encode = (t: string): Uint8Array => new TextEncoder().encode(t);
  const { line, column } = lineColumn(encode(text), encode(text.slice(0, offset)).length);
  return `line ${line}, column ${column}`;
}

/**
 * Every problem of the document as one line: YAML errors (a bad escape inside a double-quoted
 * value with the hint above, once per value), then double-quoted Windows paths that parsed
 * into something else. Empty when the YAML is fine.
 */
export function yamlProblems(doc: Document, text: string): string[] {
  const quoted = doubleQuoted(doc, text);
  const problems: string[] = [];
  const hinted = new Set<Quoted>();
  for (const e of doc.errors) {
    const at = e.pos[0];
    const q = e.code === 'BAD_DQ_ESCAPE' ? quoted.find((s) => s.start <= at && at < s.end) : undefined;
    if (!q) {
      problems.push(`YAML: ${e.message.split('\n')[0] ?? e.message}`);
      continue;
    }
    if (hinted.has(q)) continue; // one line per value, however many backslashes it holds
    hinted.add(q);
    const escape = text.slice(at, at + 2);
    problems.push(
      `${q.path}: YAML: invalid escape ${escape} at ${lineColumnOf(text, at)} in "${q.raw}": inside double quotes a backslash starts an escape; ${rewrite(q.raw)}`,
    );
  }
  for (const q of quoted) {
    if (hinted.has(q) || !looksLikeWindowsPath(q.raw)) continue;
    const escape = firstRealEscape(q.raw);
    if (escape === undefined) continue;
    problems.push(
      `${q.path}: "${q.raw}" is in double quotes, where YAML reads ${escape} as an escape, so the path is not what was typed (it reads as ${visible(q.node.value)}); ${rewrite(q.raw)}`,
    );
  }
  return problems;
}
