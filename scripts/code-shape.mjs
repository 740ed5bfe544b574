#!/usr/bin/env node
// The shape of src/: files over 300 lines, functions over 80 lines, and the import graph
// between its folders. `node scripts/code-shape.mjs [--json]` prints it; the unit test
// test/unit/code-shape.test.ts holds the limits. A file or function may exceed its limit only
// with a `shape: <why>` comment (first 5 lines of the file; the 3 lines above the function).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export const MAX_FILE_LINES = 300;
export const MAX_FUNCTION_LINES = 80;

function sources(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function functionName(node) {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return '(anonymous)';
}

function excused(lines, fromLine) {
  return lines.slice(Math.max(0, fromLine - 3), fromLine + 1).some((l) => /\bshape:/.test(l));
}

/** Measures every .ts file under `root` (default: src). */
export function measure(root = 'src') {
  const base = resolve(root);
  const files = [];
  const functions = [];
  const edges = new Map();
  for (const file of sources(base)) {
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const rel = relative(process.cwd(), file).split(sep).join('/');
    const lineCount = text.endsWith('\n') ? lines.length - 1 : lines.length;
    files.push({ file: rel, lines: lineCount, excused: lines.slice(0, 5).some((l) => /\bshape:/.test(l)) });
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const folder = relative(base, dirname(file)).split(sep)[0] || '.';
    const visit = (node) => {
      if (
        ts.isFunctionDeclaration(node) ||
        ts.isFunctionExpression(node) ||
        ts.isArrowFunction(node) ||
        ts.isMethodDeclaration(node) ||
        ts.isConstructorDeclaration(node)
      ) {
        if (node.body) {
          const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
          const end = sf.getLineAndCharacterOfPosition(node.end).line;
          // the statement that holds an arrow function carries its comment
          let holder = node;
          while (holder.parent && !ts.isSourceFile(holder.parent) && !ts.isBlock(holder.parent)) holder = holder.parent;
          const holderStart = sf.getLineAndCharacterOfPosition(holder.getStart(sf)).line;
          functions.push({
            file: rel,
            name: functionName(node),
            line: start + 1,
            lines: end - start + 1,
            excused: excused(lines, Math.min(start, holderStart)),
          });
        }
      }
      if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
        const spec = node.moduleSpecifier;
        if (spec && ts.isStringLiteral(spec) && spec.text.startsWith('.')) {
          const target = relative(base, resolve(dirname(file), spec.text)).split(sep)[0] || '.';
          if (target !== folder && !target.startsWith('..')) {
            const key = `${folder} -> ${target}`;
            edges.set(key, (edges.get(key) ?? 0) + 1);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { files, functions, imports: [...edges].sort().map(([edge, count]) => ({ edge, count })) };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const shape = measure(process.argv.find((a) => !a.startsWith('-') && a !== process.argv[0] && a !== process.argv[1]));
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify(shape, null, 2) + '\n');
  } else {
    const big = shape.files.filter((f) => f.lines > MAX_FILE_LINES).sort((a, b) => b.lines - a.lines);
    const long = shape.functions.filter((f) => f.lines > MAX_FUNCTION_LINES).sort((a, b) => b.lines - a.lines);
    const total = shape.files.reduce((n, f) => n + f.lines, 0);
    console.log(`${shape.files.length} files, ${total} lines under src/`);
    console.log(`\nfiles over ${MAX_FILE_LINES} lines (${big.length}):`);
    for (const f of big)
      console.log(`  ${String(f.lines).padStart(5)}  ${f.file}${f.excused ? '  (shape: excused)' : ''}`);
    console.log(`\nfunctions over ${MAX_FUNCTION_LINES} lines (${long.length}):`);
    for (const f of long)
      console.log(
        `  ${String(f.lines).padStart(5)}  ${f.file}:${f.line} ${f.name}${f.excused ? '  (shape: excused)' : ''}`,
      );
    console.log(`\nimports between folders of src/ (${shape.imports.length} edges):`);
    for (const e of shape.imports) console.log(`  ${e.edge} (${e.count})`);
  }
}
