/**
 * The benchmark's results as a table: medians, ratios against the baselines, the issue's goals
 * with ✓/✗; printed, and written to docs/bench.md, docs/bench.svg and the README's Speed lines
 * (between `<!-- bench:start -->` and `<!-- bench:end -->`).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { barChart, type Bar } from './svg';
import { ROOT } from './worker';

export interface Row {
  what: string;
  value: number;
  unit: 'ms' | 'events' | 'MB';
  /** The baseline it is compared with, if any. */
  baseline?: { what: string; value: number };
  /** The issue's goal: a ratio to the baseline, or a ceiling on the value. */
  goal?: { ratio: number } | { max: number };
  /** In the README's Speed lines. */
  key?: boolean;
  note?: string;
}

export interface StepShare {
  step: string;
  ms: number;
  share: number;
}

export interface Report {
  n: number;
  rows: Row[];
  steps: StepShare[];
  /** More sections of markdown (a title and its lines), after the per-step share. */
  sections?: { title: string; lines: string[] }[];
  notes: string[];
  load: { before: number[]; after: number[] };
  seconds: number;
}

const num = (v: number, unit: string): string =>
  !Number.isFinite(v)
    ? 'n/a'
    : unit === 'ms' && v >= 10_000
      ? `${(v / 1000).toFixed(1)} s`
      : `${Math.round(v)} ${unit}`;

function ratio(r: Row): number | undefined {
  return r.baseline ? r.value / r.baseline.value : undefined;
}

function verdict(r: Row): string {
  if (!r.goal) return '';
  const ok = 'ratio' in r.goal ? (ratio(r) ?? Infinity) <= r.goal.ratio : r.value <= r.goal.max;
  const target = 'ratio' in r.goal ? `≤ ${r.goal.ratio}×` : `≤ ${r.goal.max} ${r.unit}`;
  return `${target} ${ok ? '✓' : '✗'}`;
}

function tableLines(rows: Row[]): string[] {
  const lines = ['| what | peer-comms | baseline | ratio | goal |', '|---|---|---|---|---|'];
  for (const r of rows) {
    const base = r.baseline ? `${r.baseline.what} ${num(r.baseline.value, r.unit)}` : '—';
    const x = ratio(r);
    const note = r.note ? ` (${r.note})` : '';
    lines.push(
      `| ${r.what}${note} | ${num(r.value, r.unit)} | ${base} | ${x === undefined ? '—' : `${x.toFixed(2)}×`} | ${verdict(r) || '—'} |`,
    );
  }
  return lines;
}

function machine(): { cpu: string; cores: number; memGb: number; node: string; commit: string } {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (dirty.trim()) commit += ' (with uncommitted changes)';
  } catch {
    /* not a git checkout */
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    commit,
  };
}

const loads = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');

export function printReport(rep: Report): void {
  console.log(`\npeer-comms bench, N=${rep.n}, ${rep.seconds.toFixed(0)} s`);
  for (const l of tableLines(rep.rows)) console.log(l);
  console.log('\nper-step share of a workflow send (medians; steps may overlap):');
  for (const s of rep.steps)
    console.log(`  ${s.step.padEnd(20)} ${num(s.ms, 'ms').padStart(8)}  ${(s.share * 100).toFixed(0)}%`);
  for (const sec of rep.sections ?? []) console.log(`\n${sec.title}:\n${sec.lines.join('\n')}`);
  for (const n of rep.notes) console.log(`note: ${n}`);
  console.log(`load average: before ${loads(rep.load.before)}, after ${loads(rep.load.after)}`);
}

function chart(rep: Report): string {
  const bars: Bar[] = [];
  for (const r of rep.rows.filter((x) => x.unit === 'ms' && x.baseline)) {
    bars.push({ label: r.what, value: r.value, kind: 'peer-comms' });
    bars.push({ label: `  baseline: ${r.baseline!.what}`, value: r.baseline!.value, kind: 'baseline' });
  }
  return barChart(`peer-comms bench (medians, N=${rep.n})`, bars);
}

export async function writeReport(rep: Report): Promise<void> {
  const m = machine();
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const md = [
    '# Benchmark',
    '',
    'Written by `npm run bench` (bench/main.bench.ts); do not edit by hand. Loopback sshd, tmux and',
    'stand-in agents that show working for 0.5 s; all rows measured interleaved in one run.',
    'Baselines: bare one-shot ssh (send-keys -l, C-m, poll until working, one process) and a replica',
    'of the hand ceremony in the reference protocol (five pre-flight ssh calls, scp of the directive,',
    'paste, C-m, one ssh per look).',
    '',
    `- date: ${date}`,
    `- commit: ${m.commit}`,
    `- machine: ${m.cpu}, ${m.cores} cores, ${m.memGb} GB, Node ${m.node}`,
    `- N=${rep.n} (medians), ${rep.seconds.toFixed(0)} s in all`,
    `- load average: before ${loads(rep.load.before)}, after ${loads(rep.load.after)}`,
    '',
    ...tableLines(rep.rows),
    '',
    '![bench chart](bench.svg)',
    '',
    '## Per-step share of a workflow send',
    '',
    '| step | median | share of the send |',
    '|---|---|---|',
    ...rep.steps.map((s) => `| ${s.step} | ${num(s.ms, 'ms')} | ${(s.share * 100).toFixed(0)}% |`),
    '',
    'Steps may overlap (the pane lock is asked for during preflight), so shares need not add to 100%.',
    '',
    ...(rep.sections ?? []).flatMap((sec) => [`## ${sec.title}`, '', ...sec.lines, '']),
    ...(rep.notes.length ? ['## Notes', '', ...rep.notes.map((n) => `- ${n}`), ''] : []),
  ].join('\n');
  await writeMarkdown(join(ROOT, 'docs', 'bench.md'), md);
  writeFileSync(join(ROOT, 'docs', 'bench.svg'), chart(rep));
  await writeReadme(rep, date, m.commit);
}

async function writeReadme(rep: Report, date: string, commit: string): Promise<void> {
  const file = join(ROOT, 'README.md');
  const text = readFileSync(file, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) {
    console.log('README.md has no bench markers: its Speed lines were not updated');
    return;
  }
  const block = [
    start,
    `Latest \`npm run bench\` (${date}, commit ${commit}, load average ${loads(rep.load.before)}; N=${rep.n}):`,
    '',
    ...tableLines(rep.rows.filter((r) => r.key)),
    '',
    'All rows, the machine, the per-step share and the chart: [docs/bench.md](docs/bench.md).',
    end,
  ].join('\n');
  await writeMarkdown(file, text.slice(0, a) + block + text.slice(b + end.length));
}

/** Written as the repository's prettier would (format:check runs in CI). */
async function writeMarkdown(file: string, text: string): Promise<void> {
  const options = (await resolveConfig(file)) ?? {};
  writeFileSync(file, await format(text, { ...options, filepath: file }));
}

export function loadNow(): number[] {
  return loadavg();
}
