/**
 * `npm run bench:paste-window`: how soon after a bracketed paste the real Claude Code takes C-m
 * as Enter (it submits) rather than as part of the paste (the text stays in the box), to choose
 * `ack.settle` from a measurement (issue 12) instead of a guess. Runs the pinned Claude Code
 * (test/contract/claude-code.version) offline against the fake Messages API on 127.0.0.1.
 *
 * For each gap it pastes a multi-line text (`paste-buffer -p -r`, as the heavy path does), waits
 * the gap, presses C-m, and records whether the UserPromptSubmit hook saw the prompt within 5 s.
 * Gap 0 puts paste-buffer and send-keys C-m in one tmux call (nothing between them). A text left
 * in the box is cleared (C-u) before the next trial; a submitted one is waited out (Stop).
 *
 *   npm run bench:paste-window          PASTE_TRIALS=5 (per gap), PASTE_GAPS=0,5,10,20,40,80
 */
import { performance } from 'node:perf_hooks';
import { ClaudeHarness } from '../test/contract/claude-harness';
import { FakeAnthropic } from '../test/helpers/fake-anthropic';

const TRIALS = Number(process.env.PASTE_TRIALS ?? 5);
const GAPS = (process.env.PASTE_GAPS ?? '0,5,10,20,40,80').split(',').map(Number);
/** Lines per pasted text: 3 shows inline, 300 or 5000 collapse to `[Pasted text #n +… lines]`. */
const LINES = (process.env.PASTE_LINES ?? '3,300,5000').split(',').map(Number);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pasteText(lines: number, gap: number, n: number): string {
  const rest = Array.from(
    { length: lines - 1 },
    (_, i) => `line ${i + 2} of the pasted directive, some words to fill it`,
  );
  return [`paste window trial: ${lines} lines, ${gap} ms #${n}`, ...rest].join('\n');
}

async function trial(cc: ClaudeHarness, lines: number, gap: number, n: number): Promise<'submitted' | 'swallowed'> {
  const text = pasteText(lines, gap, n);
  const since = (await cc.events()).length;
  if (gap === 0) {
    await cc.tmux.paste(cc.session, text, ['send-keys', '-t', cc.session, 'C-m']);
  } else {
    await cc.paste(text);
    const t = performance.now();
    while (performance.now() - t < gap) await sleep(1);
    await cc.submit();
  }
  try {
    await cc.waitForEvent('UserPromptSubmit', { since, timeoutMs: 5000 });
  } catch {
    // not submitted: the C-m went into the paste (a newline in the box) or was dropped
    await cc.tmux.sendKeys(cc.session, 'C-u');
    await cc.tmux.sendKeys(cc.session, 'C-u');
    await cc.tmux.sendKeys(cc.session, 'C-u');
    await cc.waitForScreen((c) => c.state === 'idle', 10_000, 'the box cleared');
    return 'swallowed';
  }
  await cc.waitForEvent('Stop', { since, timeoutMs: 30_000 });
  await cc.waitForScreen((c) => c.state === 'idle', 10_000, 'idle after the turn');
  return 'submitted';
}

async function main(): Promise<void> {
  const api = await FakeAnthropic.start();
  const cc = await ClaudeHarness.create({ api, prefix: 'pastewin' });
  try {
    await cc.start();
    console.log(`real Claude Code, ${TRIALS} trials per gap, gaps ${GAPS.join(', ')} ms, ${LINES.join('/')} lines`);
    for (const lines of LINES) {
      for (const gap of GAPS) {
        const results: string[] = [];
        for (let i = 0; i < TRIALS; i++) results.push(await trial(cc, lines, gap, i));
        const ok = results.filter((r) => r === 'submitted').length;
        console.log(`${String(lines).padStart(5)} lines, gap ${String(gap).padStart(3)} ms: ${ok}/${TRIALS} submitted`);
      }
    }
  } finally {
    await cc.cleanup().catch(() => undefined);
    await api.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
