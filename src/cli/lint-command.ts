/** `peer-comms lint <file>`: what a directive lacks, one line per problem. Exit 0 when complete. */
import { checkDirective, formatReport, PART_LABELS, PART_NAMES } from '../directive';
import { formatDuration } from '../config/duration';
import { MAX_JOB_DIRECTIVE_BYTES } from '../contracts/text-gate';
import { EXIT } from './exit';
import { gatedFile } from './input-checks';

/**
 * Lints the directive as `job start` reads it: the same reader (gatedFile: `-` is standard
 * input, UTF-16 with a BOM decoded, the input gate and the directive's size limit), so a file
 * that lints clean is not then refused by `job start`.
 */
export async function lintFile(file: string, json: boolean): Promise<number> {
  const report = checkDirective(await gatedFile(file, { maxBytes: MAX_JOB_DIRECTIVE_BYTES }));
  if (json) {
    process.stdout.write(`${JSON.stringify({ file, ...report }, null, 2)}\n`);
    return report.ok ? EXIT.ok : EXIT.failed;
  }
  const present = PART_NAMES.filter((p) => report.parts[p].present).map((p) => PART_LABELS[p]);
  const lines = [
    `${file === '-' ? 'standard input' : file}: ${report.ok ? 'complete' : 'incomplete'} (${present.length}/${PART_NAMES.length} parts)`,
  ];
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
