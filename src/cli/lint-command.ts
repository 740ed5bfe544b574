/** `peer-comms lint <file>`: what a directive lacks, one line per problem. Exit 0 when complete. */
import { readFile } from 'node:fs/promises';
import { checkDirective, formatReport, PART_LABELS, PART_NAMES } from '../directive';
import { formatDuration } from '../config/duration';
import { EXIT, UsageError } from './exit';

export async function readDirectiveFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
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
