/**
 * The README is a front door (issue 13): at most 200 lines, the two fresh-machine commands
 * first, and every relative link in README.md and docs/*.md leads to a file that exists (and,
 * for `file.md#anchor`, to a heading that exists there). A moved or renamed page fails here.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..');
const README = join(ROOT, 'README.md');
const DOCS = join(ROOT, 'docs');

/** The two commands for a fresh machine, byte for byte (.ci/run runs `npm run demo` after bootstrap). */
const FRESH_MACHINE_COMMANDS = [
  'bash scripts/bootstrap.sh && npm run demo   # embedded default: Temporal dev server + a local peer + one send, shows the ack and the UI link',
  'bash scripts/bootstrap.sh && npm test       # the tests (real Temporal dev server, real sshd on 127.0.0.1, real tmux)',
];

const MAX_README_LINES = 200;

interface Fence {
  info: string;
  body: string[];
  line: number;
}

/** Fenced code blocks (``` or ~~~), in order, with their info string and 1-based opening line. */
function fences(text: string): Fence[] {
  const out: Fence[] = [];
  let open: Fence | undefined;
  let marker = '';
  text.split('\n').forEach((line, i) => {
    const m = /^\s*(`{3,}|~{3,})(.*)$/.exec(line);
    if (open === undefined) {
      if (m) {
        marker = m[1]!;
        open = { info: m[2]!.trim(), body: [], line: i + 1 };
      }
    } else if (m && m[1]!.startsWith(marker) && m[2]!.trim() === '') {
      out.push(open);
      open = undefined;
    } else {
      open.body.push(line);
    }
  });
  return out;
}

/** The text outside fenced code blocks, line by line (fenced lines blanked, so line numbers hold). */
function prose(text: string): string[] {
  let inFence = '';
  return text.split('\n').map((line) => {
    const m = /^\s*(`{3,}|~{3,})/.exec(line);
    if (inFence === '') {
      if (m) inFence = m[1]!;
      return m ? '' : line;
    }
    if (m && m[1]!.startsWith(inFence)) inFence = '';
    return '';
  });
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, … */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(text)) {
    const m = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = m[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

interface Link {
  target: string;
  line: number;
}

/** Inline links and images, `[text](target)` / `![alt](target "title")`, outside code. */
function links(text: string): Link[] {
  const out: Link[] = [];
  prose(text).forEach((raw, i) => {
    const line = raw.replace(/`[^`]*`/g, '');
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      out.push({ target: m[1]!, line: i + 1 });
    }
  });
  return out;
}

function markdownFiles(): string[] {
  const docs = readdirSync(DOCS)
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(DOCS, f));
  return [README, ...docs];
}

/** Every relative link of one file that leads nowhere, as `file:line target (why)`. */
function brokenLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const broken: string[] = [];
  for (const { target, line } of links(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const [path = '', anchor] = target.split('#', 2);
    const dest = path === '' ? file : join(dirname(file), decodeURIComponent(path));
    const where = `${relative(ROOT, file)}:${line} ${target}`;
    if (!existsSync(dest)) {
      broken.push(`${where} (no such file: ${relative(ROOT, dest)})`);
      continue;
    }
    if (anchor && dest.endsWith('.md') && statSync(dest).isFile()) {
      if (!anchors(readFileSync(dest, 'utf8')).has(anchor)) {
        broken.push(`${where} (no heading #${anchor} in ${relative(ROOT, dest)})`);
      }
    }
  }
  return broken;
}

void describe('README.md is a front door', () => {
  const text = readFileSync(README, 'utf8');

  void it(`is at most ${MAX_README_LINES} lines`, () => {
    const lines = text.replace(/\n$/, '').split('\n').length;
    assert.ok(lines <= MAX_README_LINES, `README.md has ${lines} lines; move detail to docs/`);
  });

  void it('opens with the two fresh-machine commands, before any section', () => {
    const first = fences(text)[0];
    assert.ok(first, 'README.md has no fenced block');
    assert.equal(first.info, 'sh');
    assert.deepEqual(first.body, FRESH_MACHINE_COMMANDS);
    const firstSection = text.split('\n').findIndex((l) => /^##\s/.test(l)) + 1;
    assert.ok(firstSection === 0 || first.line < firstSection, 'the commands come before the first ## section');
  });

  void it('keeps the bench markers that npm run bench rewrites', () => {
    const a = text.indexOf('<!-- bench:start -->');
    const b = text.indexOf('<!-- bench:end -->');
    assert.ok(a >= 0 && b > a, 'README.md needs <!-- bench:start --> … <!-- bench:end --> (bench/report.ts)');
  });
});

/** Where the README's old sections live now (issue 13: every moved section exists under docs/). */
const MOVED: Record<string, string[]> = {
  'send.md': [
    'commands',
    'broadcast-one-text-to-several-peers',
    'failure-types',
    'what-a-text-may-contain',
    'what-an-ack-means',
    'the-send-workflow',
  ],
  'jobs.md': ['peer-jobs-and-phone-homes'],
  'workers-and-guards.md': [
    'peer-worker-via-worker',
    'gpu-guard-gpu',
    'rental-peer-rental',
    'command-allow-list',
    'oauth-401',
    'the-controller-workers-size',
  ],
  'fleet.md': ['fleet-health', 'reading-peer-state'],
  'ui-and-temporal-cli.md': [
    'the-web-ui',
    'filters-for-the-workflow-list',
    'start-a-send-from-the-uis-form',
    'resume-a-job-send-a-signal',
  ],
  'configuration.md': ['peersyaml-reference', 'screen-patterns', 'temporal-connection'],
  'security.md': ['security', 'encryption-at-rest'],
  'windows.md': ['windows-quick-start-powershell', 'macos'],
  'architecture.md': ['folders', 'walk-1-the-text-from-peer-comms-send-to-paste-buffer', 'dependencies'],
  'testing.md': ['tests', 'faults-survived'],
};

void describe('the sections moved out of the README', () => {
  for (const [file, wanted] of Object.entries(MOVED)) {
    void it(`docs/${file} holds ${wanted.join(', ')}`, () => {
      const have = anchors(readFileSync(join(DOCS, file), 'utf8'));
      assert.deepEqual(
        wanted.filter((a) => !have.has(a)),
        [],
      );
    });
  }

  void it('docs/testing.md keeps the faults markers that scripts/faults-table.mjs rewrites', () => {
    const text = readFileSync(join(DOCS, 'testing.md'), 'utf8');
    assert.ok(text.indexOf('<!-- faults:start -->') >= 0 && text.indexOf('<!-- faults:end -->') > 0);
  });
});

void describe('relative links in README.md and docs/*.md', () => {
  for (const file of markdownFiles()) {
    void it(`${relative(ROOT, file)}: every relative link leads to an existing file and heading`, () => {
      assert.deepEqual(brokenLinks(file), []);
    });
  }

  void it('the checker reads links outside code only, and anchors as GitHub makes them', () => {
    assert.deepEqual(
      links('see [a](missing.md) and `[b](in-code.md)` and ![c](pic.png "t")\n```\n[d](fenced.md)\n```\n').map(
        (l) => l.target,
      ),
      ['missing.md', 'pic.png'],
    );
    assert.deepEqual(
      [...anchors("# Title\n## Peer worker (`via: worker`)\n## The controller worker's size\n## Title\n")],
      ['title', 'peer-worker-via-worker', 'the-controller-workers-size', 'title-1'],
    );
  });
});
