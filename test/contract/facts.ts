/**
 * Fact finding against the real Claude Code (not a test; run by hand after a version bump and
 * compare its output with FINDINGS.md):
 *
 *   node --import tsx test/contract/facts.ts [out-dir] [--write-baseline]   (default .tmp/claude-facts)
 *
 * It ends by printing what differs from test/contract/facts-baseline.json (hook fields per event,
 * StopFailure errors, whether the prompt rewrites still hold, the final and error screen states, the
 * transcript entry kinds); --write-baseline stores this run as the new baseline.
 *
 * One claude session goes through: a typed text, 3-line / 300-line / odd-bytes pastes, a 401
 * turn, a 429 turn, then a `--continue` restart. For each step out-dir/<step>/ gets the sent
 * bytes, the hook events, what the fake API received, the new transcript lines and every
 * distinct screen (plain and -e) with its ms offset from C-m.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { classifyScreen } from '../../src/tmux/screen';
import { FakeAnthropic, type FakeMode } from '../helpers/fake-anthropic';
import { claudeCodeVersion } from './claude-code';
import { ClaudeHarness, type HookRecord } from './claude-harness';
import { normalise, pastedPrompt } from './claude-rewrites';

interface Step {
  name: string;
  mode: FakeMode;
  how: 'type' | 'paste';
  text: string;
  /** How long to keep watching after the turn ended (ms). */
  tailMs?: number;
  /** Give up watching after this long (ms). */
  maxMs?: number;
}

const lines300 = Array.from({ length: 300 }, (_, i) => `line ${i + 1} of 300: the quick brown fox`).join('\n');
const odd =
  '  \tTabbed\tline with two TABs  \r\n\r\nsecond line: ünïcödé 日本語 🚀 — “quotes” ; C-m -dash\r\n\n   trailing spaces   \n\n';

const steps0: Step[] = [
  { name: 'a-typed', mode: 'ok', how: 'type', text: 'hello from the contract test' },
  { name: 'b-paste-3-lines', mode: 'ok', how: 'paste', text: 'first line\nsecond line\nthird line' },
  { name: 'c-paste-300-lines', mode: 'ok', how: 'paste', text: lines300 },
  { name: 'd-paste-odd-bytes', mode: 'ok', how: 'paste', text: odd },
  { name: 'e-401', mode: '401', how: 'paste', text: 'this turn gets 401s', maxMs: 240_000 },
  { name: 'f-429', mode: '429', how: 'paste', text: 'this turn gets a 429', maxMs: 60_000 },
];

async function main(): Promise<void> {
  const out = resolve(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? '.tmp/claude-facts');
  await mkdir(out, { recursive: true });
  const api = await FakeAnthropic.start();
  const cc = await ClaudeHarness.create({ api, promptHookStdout: 'HOOK-STDOUT-MARKER-7731', prefix: 'facts' });
  const log = (s: string): void => console.log(`[${new Date().toISOString()}] ${s}`);
  log(`root ${cc.root}`);
  await writeFile(join(out, 'command-line.txt'), cc.commandLine() + '\n');
  try {
    const t0 = Date.now();
    await cc.start();
    log(`idle after ${Date.now() - t0} ms`);
    await writeFile(join(out, 'startup-idle.txt'), await cc.capture());
    await writeFile(join(out, 'startup-idle.ansi.txt'), await cc.captureAnsi());
    await writeFile(join(out, 'startup-events.json'), JSON.stringify(await cc.events(), null, 2));
    await writeFile(join(out, 'startup-requests.json'), JSON.stringify(api.requests, null, 2));

    for (const step of steps0) await runStep(step, cc, api, out, log);

    // g: --continue restart
    api.setMode('ok');
    const before = (await cc.events()).length;
    const oldTranscript = await cc.transcriptPath();
    await cc.stop();
    const t1 = Date.now();
    await cc.start(['--continue'], (c) => c.input === '' && c.state !== 'working' && c.state !== 'unknown');
    log(`--continue idle after ${Date.now() - t1} ms`);
    const dir = join(out, 'g-continue');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'idle.txt'), await cc.capture());
    await writeFile(join(dir, 'idle.ansi.txt'), await cc.captureAnsi());
    await runStep(
      { name: 'g-continue/turn', mode: 'ok', how: 'paste', text: 'after the restart' },
      cc,
      api,
      out,
      log,
      before,
    );
    await writeFile(
      join(dir, 'transcripts.json'),
      JSON.stringify({ before: oldTranscript, after: await cc.transcriptPath() }, null, 2),
    );
    await writeFile(join(out, 'all-events.json'), JSON.stringify(await cc.events(), null, 2));
    await writeFile(join(out, 'raw-events.json'), JSON.stringify(await cc.rawEvents(), null, 2));
    await writeFile(join(out, 'all-requests.json'), JSON.stringify(api.requests, null, 2));
    await writeFile(join(out, 'transcript.json'), JSON.stringify(await cc.transcript(), null, 2));
    const summary = await summarise(out);
    await writeFile(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    const baselinePath = resolve(__dirname, 'facts-baseline.json');
    if (process.argv.includes('--write-baseline')) {
      await writeFile(baselinePath, JSON.stringify(summary, null, 2) + '\n');
      log(`baseline written: ${baselinePath}`);
    } else {
      const baseline = JSON.parse(await readFile(baselinePath, 'utf8').catch(() => 'null')) as Summary | null;
      const diffs = baseline ? compare(baseline, summary) : ['no baseline (run with --write-baseline)'];
      log(
        diffs.length === 0
          ? `no differences from ${baseline?.version}`
          : `differences from the baseline:\n  ${diffs.join('\n  ')}`,
      );
    }
    log('done');
  } finally {
    await cc.cleanup({ keepFiles: process.env.KEEP === '1' });
    await api.close();
  }
}

async function runStep(
  step: Step,
  cc: ClaudeHarness,
  api: FakeAnthropic,
  out: string,
  log: (s: string) => void,
  eventsBefore?: number,
): Promise<void> {
  const dir = join(out, step.name);
  await mkdir(dir, { recursive: true });
  api.setMode(step.mode);
  const evBefore = eventsBefore ?? (await cc.events()).length;
  const reqBefore = api.requests.length;
  const trPath = await cc.transcriptPath();
  const trBefore = trPath ? (await cc.transcript(trPath)).length : 0;
  await writeFile(join(dir, 'sent.bin'), step.text);
  if (step.how === 'type') await cc.type(step.text);
  else await cc.paste(step.text);
  // the text in the box before C-m
  await delay(400);
  await writeFile(join(dir, 'before-submit.txt'), await cc.capture());
  const t0 = Date.now();
  await cc.submit();
  const screens: { ms: number; state: string; evidence: string }[] = [];
  let last = '';
  let endedAt: number | null = null;
  const maxMs = step.maxMs ?? 30_000;
  const tailMs = step.tailMs ?? 1500;
  for (;;) {
    const ms = Date.now() - t0;
    const plain = await cc.capture();
    if (plain !== last) {
      const ansi = await cc.captureAnsi();
      const c = classifyScreen(plain);
      screens.push({ ms, state: c.state, evidence: c.evidence.slice(0, 200) });
      const tag = String(screens.length).padStart(3, '0');
      await writeFile(join(dir, `screen-${tag}-${ms}ms.txt`), plain);
      await writeFile(join(dir, `screen-${tag}-${ms}ms.ansi.txt`), ansi);
      last = plain;
    }
    const evs = (await cc.events()).slice(evBefore);
    if (endedAt === null && evs.some((e) => e.event === 'Stop' || e.event === 'StopFailure')) endedAt = Date.now();
    if (endedAt !== null && Date.now() - endedAt > tailMs) break;
    if (ms > maxMs) break;
    await delay(100);
  }
  const evs: HookRecord[] = (await cc.events()).slice(evBefore);
  const rel = evs.map((e) => ({ ...e, msAfterSubmit: e.t - t0 }));
  await writeFile(join(dir, 'events.json'), JSON.stringify(rel, null, 2));
  await writeFile(join(dir, 'screens.json'), JSON.stringify(screens, null, 2));
  await writeFile(join(dir, 'requests.json'), JSON.stringify(api.requests.slice(reqBefore), null, 2));
  const tr = await cc.transcript(trPath ?? undefined);
  await writeFile(join(dir, 'transcript-new.json'), JSON.stringify(tr.slice(trBefore), null, 2));
  const ups = evs.find((e) => e.event === 'UserPromptSubmit');
  const prompt = ups ? ups.stdin.prompt : undefined;
  await writeFile(
    join(dir, 'hook-prompt.json'),
    JSON.stringify({ prompt, sent: step.text, equal: prompt === step.text }, null, 2),
  );
  log(
    `${step.name}: events ${evs.map((e) => `${e.event}@${e.t - t0}ms`).join(', ')}; screens ${screens.map((s) => `${s.ms}:${s.state}`).join(' ')}`,
  );
}

/** What a version bump may change: hook fields, errors, prompt rewrites, screen states, transcript entry kinds. */
interface Summary {
  version: string;
  steps: Record<
    string,
    {
      hookFields: Record<string, string[]>;
      stopFailureError: string | null;
      promptAsExpected: boolean;
      /** The last screen state, and the error states seen (the sampled sequence itself varies run to run). */
      finalState: string;
      errorStates: string[];
      transcriptKinds: string[];
    }
  >;
}

async function summarise(out: string): Promise<Summary> {
  const steps: Summary['steps'] = {};
  for (const name of [...steps0.map((s) => s.name), 'g-continue/turn']) {
    const dir = join(out, name);
    const events = JSON.parse(await readFile(join(dir, 'events.json'), 'utf8')) as HookRecord[];
    const screens = JSON.parse(await readFile(join(dir, 'screens.json'), 'utf8')) as { state: string }[];
    const transcript = JSON.parse(await readFile(join(dir, 'transcript-new.json'), 'utf8')) as Record<
      string,
      unknown
    >[];
    const hp = JSON.parse(await readFile(join(dir, 'hook-prompt.json'), 'utf8')) as { prompt?: string; sent: string };
    const hookFields: Record<string, string[]> = {};
    for (const e of events) hookFields[e.event] = Object.keys(e.stdin).sort();
    const id = /<pasted_content id="([0-9a-f]+)">/.exec(hp.prompt ?? '')?.[1] ?? '';
    steps[name] = {
      hookFields,
      stopFailureError: (events.find((e) => e.event === 'StopFailure')?.stdin.error as string | undefined) ?? null,
      promptAsExpected:
        hp.prompt === pastedPrompt(hp.sent, id) || hp.prompt === normalise(hp.sent).replace(/[ ]+$/, ''),
      finalState: screens.at(-1)?.state ?? '',
      // only for failing turns: a healthy turn's first frames may still show the previous turn's error
      errorStates: events.some((e) => e.event === 'StopFailure')
        ? [...new Set(screens.map((x) => x.state).filter((st) => st.startsWith('error:')))].sort()
        : [],
      transcriptKinds: [
        ...new Set(transcript.map((e) => `${String(e.type)}${typeof e.subtype === 'string' ? `/${e.subtype}` : ''}`)),
      ].sort(),
    };
  }
  return { version: claudeCodeVersion(), steps };
}

function compare(a: Summary, b: Summary): string[] {
  const out: string[] = [];
  for (const [name, sa] of Object.entries(a.steps)) {
    const sb = b.steps[name];
    if (!sb) {
      out.push(`${name}: missing`);
      continue;
    }
    for (const k of Object.keys(sa) as (keyof typeof sa)[]) {
      const x = JSON.stringify(sa[k]);
      const y = JSON.stringify(sb[k]);
      if (x !== y) out.push(`${name}.${k}: ${x} -> ${y}`);
    }
  }
  return out;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
