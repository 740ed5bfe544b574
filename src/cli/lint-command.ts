/** `peer-comms lint <file>`: what a directive lacks, one line per problem. Exit 0 when complete. */
import { readFile } from 'node:fs/promises';
import { checkDirective, formatReport, PART_LABELS, PART_NAMES } from '../directive';
import { formatDuration } from '../config/duration';
import { decodeTextFile, TextFileRefused } from '../config/text-file';
import { EXIT, UsageError } from './exit';

/** The directive's text: UTF-8 or UTF-16 with a BOM (decodeTextFile); other encodings exit 2 with how to fix them. */
export async function readDirectiveFile(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    return decodeTextFile(bytes, file).text;
  } catch (err) {
    if (err instanceof TextFileRefused) throw new UsageError(err.message);
    throw err;
  }
}

export async function lintFile(file: string, json: boolean): Promise<number> {
  const report = checkDirective(await readDirectiveFile(file));
  if (json) {
    process.stdout.write(`${JSON.stringify({ file, ...report }, null, 2)}\n`);
    return report.ok ? EXIT.ok : EXIT.failed;
  }
  const present = PART_NAMES.filter((p) => report.parts[p].present).map((p) => PART_LABELS[p]);
  const lines = [`${file}: ${report.ok ? 'complete' : 'incomplete'} (${present.length}/${PART_NAMES.length} parts)`];
  const problems = formatReport(report);
  if (problems) lines.push(...problems.split('\n').map((l) => `  ${l}`));
  const { wallClockMs, tokens } = report.budget;
  if (wallClockMs !== null || tokens !== null) {
    lines.push(
      `  budget: ${wallClockMs === null ? 'no wall clock' : formatDuration(wallClockMs)}, ${tokens === null ? 'no token cap' : `${tokens} tokens`}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return report.ok ? EXIT.ok : EXIT.failed;
}
