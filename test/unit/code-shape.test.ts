/**
 * The shape of src/ (issue 11): no file over 300 lines and no function over 80 unless a
 * `shape: <why>` comment says why, and no two folders of src/ importing each other.
 * `node scripts/code-shape.mjs` prints the same figures for a person.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// @ts-expect-error -- a plain .mjs script without type declarations
import { MAX_FILE_LINES, MAX_FUNCTION_LINES, measure } from '../../scripts/code-shape.mjs';

interface Shape {
  files: { file: string; lines: number; excused: boolean }[];
  functions: { file: string; name: string; line: number; lines: number; excused: boolean }[];
  imports: { edge: string; count: number }[];
}

const shape = (measure as (root: string) => Shape)('src');

describe('the shape of src/', () => {
  it(`no file over ${MAX_FILE_LINES as number} lines without a shape: comment`, () => {
    const big = shape.files.filter((f) => f.lines > (MAX_FILE_LINES as number) && !f.excused);
    assert.deepEqual(
      big.map((f) => `${f.file} (${f.lines})`),
      [],
    );
  });

  it(`no function over ${MAX_FUNCTION_LINES as number} lines without a shape: comment`, () => {
    const long = shape.functions.filter((f) => f.lines > (MAX_FUNCTION_LINES as number) && !f.excused);
    assert.deepEqual(
      long.map((f) => `${f.file}:${f.line} ${f.name} (${f.lines})`),
      [],
    );
  });

  it('no two folders import each other', () => {
    const edges = new Set(shape.imports.map((e) => e.edge));
    const both = [...edges].filter((e) => {
      const [from, to] = e.split(' -> ');
      return edges.has(`${to} -> ${from}`);
    });
    assert.deepEqual(both, []);
  });

  it('measures what it claims (a file and a function it can see)', () => {
    const main = shape.functions.find(
      (f) => f.file === 'src/workflows/send-directive.ts' && f.name === 'sendDirective',
    );
    assert.ok(main && main.lines > 10 && main.lines <= 60, `sendDirective spans ${main?.lines} lines`);
    assert.ok(shape.files.length > 100);
  });
});
