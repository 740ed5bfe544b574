/**
 * The command allow-list and the GPU guard. Every argv our activities build must pass; what the
 * reference forbids on a rental peer (docker exec, entering a container, a GPU reset, a power
 * change) and anything that is not ours must be refused — and message text that merely mentions
 * such commands must still go through as text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scriptText } from '../../src/activities/context';
import { typeOnceScript } from '../../src/activities/deliver';
import '../../src/activities/inbox';
import { PREFLIGHT_SCRIPT } from '../../src/activities/preflight';
import { configSchema } from '../../src/config/schema';
import { readRecordsCommand } from '../../src/activities/receipts';
import { commandProblem, composedProblem, type CommandPolicy, type ComposedScript } from '../../src/guards/commands';
import { GIT_STATUS_ARGS, gitReadArgv } from '../../src/guards/git-read';
import { shQuote } from '../../src/peer-access/shell';
import { checkGpus, describeGpuCheck, parseGpuLine } from '../../src/guards/gpu';
import * as tmux from '../../src/tmux/commands';

const rental: CommandPolicy = { peer: 'gpuserver1', rental: true, stagingDir: '~/.cache/peer-comms' };
const sock = { name: 'peer-comms' };

function allowed(argv: string[]): void {
  assert.equal(commandProblem(argv, rental), undefined, `should be allowed: ${JSON.stringify(argv)}`);
}
function refused(argv: string[], why: RegExp): void {
  const problem = commandProblem(argv, rental);
  assert.ok(problem, `should be refused: ${JSON.stringify(argv)}`);
  assert.match(problem, why);
}
/** A composed script is checked as its argvs, before its text is made. */
function refusedScript(script: ComposedScript, why: RegExp): void {
  const problem = composedProblem(script, rental);
  assert.ok(problem, `should be refused: ${JSON.stringify(script)}`);
  assert.match(problem, why);
}
const commands = (...argvs: string[][]): ComposedScript => argvs.map((argv) => ({ commands: [{ argv }] }));

describe('command allow-list', () => {
  it('allows every command the activities build', () => {
    allowed(tmux.hasSession(sock, 'claude'));
    allowed(
      tmux.newSession(sock, { session: 'claude', width: 200, height: 50, cwd: '/home/a', command: 'claude --x' }),
    );
    allowed(tmux.killSession(sock, 'claude'));
    allowed(tmux.capturePane(sock, 'claude:0.0'));
    allowed(tmux.paneMode(sock, 'claude:0.0'));
    allowed(tmux.cancelCopyMode(sock, 'claude:0.0'));
    allowed(tmux.sendKey(sock, 'claude:0.0', 'C-m'));
    allowed(tmux.loadBufferFromFile(sock, 'pc-text', '/home/a/.cache/peer-comms/x.txt'));
    allowed(tmux.pasteBuffer(sock, 'claude:0.0', 'pc-text'));
    allowed(tmux.setBuffer(sock, 'pc-marker', 'id'));
    allowed(tmux.deleteBuffer(sock, 'pc-marker'));
    allowed(['systemctl', '--user', 'restart', 'sartor-claude-peer.service']);
    allowed(['nvidia-smi', '--query-gpu=index,temperature.gpu', '--format=csv,noheader,nounits']);
    allowed(['cat', '/proc/loadavg']);
    allowed(['rm', '-f', '--', '/home/alton/.cache/peer-comms/send-x.txt']);
    allowed(
      gitReadArgv('/home/a/work', [
        'log',
        '-n',
        '10',
        '--no-show-signature',
        '--no-textconv',
        '--no-ext-diff',
        '--format=%h',
      ]),
    );
    allowed(gitReadArgv('/home/a/work', GIT_STATUS_ARGS, ['lfs']));
    allowed(['sh', '-c', 'printf %s "$HOME"']);
    const agent = {
      events: '/h/.local/state/peer-comms/agent/s.events.jsonl',
      transcriptDir: '/h/.claude/projects/-w',
    };
    allowed(readRecordsCommand(agent, null, true));
    allowed(
      readRecordsCommand(
        agent,
        { events: 1200, transcript: { path: '/h/.claude/projects/-w/x.jsonl', size: 9 } },
        false,
      ),
    );
    refused(readRecordsCommand({ ...agent, events: 'relative/path' }, null, false), /read-records takes/);
  });

  it('lets message text that mentions forbidden commands through as text (light path, quotes and all)', () => {
    for (const text of ["run `docker exec -it C.341 bash` && nvidia-smi -r; it's fine", 'a; b && c > d $(e) `f`']) {
      const script = typeOnceScript(sock, 'claude:0.0', 'send-x-1', text);
      assert.equal(composedProblem(script, rental), undefined, `should be allowed: ${text}`);
      assert.ok(scriptText(script).includes(shQuote(text)), 'the text is one single-quoted word of the script');
      allowed(tmux.setBuffer(sock, 'pc-text', text));
      allowed(tmux.sendKeysLiteral(sock, 'claude:0.0', text));
    }
  });

  it('allows the constant scripts with their own arguments only', () => {
    const args = (smi: string) => ['sess', '~/.c', '-L', 's', 'sess:0', smi, 'index,power.limit', '/proc/loadavg'];
    allowed(['sh', '-c', PREFLIGHT_SCRIPT, 'peer-comms-preflight', ...args('nvidia-smi')]);
    allowed(['sh', '-c', PREFLIGHT_SCRIPT, 'peer-comms-preflight', ...args('/opt/fake/nvidia-smi')]);
    refused(['sh', '-c', PREFLIGHT_SCRIPT, 'peer-comms-preflight', ...args('docker')], /must be nvidia-smi/);
    refused(['sh', '-c', `${PREFLIGHT_SCRIPT}\ndocker ps`, 'x'], /not one of ours/);
  });

  it('refuses containers, GPU resets and power changes, on a rental peer above all', () => {
    refused(['docker', 'exec', '-it', 'C.34113802', 'bash'], /docker is not on the list/);
    refused(['podman', 'exec', 'x', 'sh'], /not on the list/);
    refused(['nsenter', '-t', '1', '-m'], /not on the list/);
    refused(['nvidia-smi', '-r'], /may only be queried/);
    refused(['nvidia-smi', '--gpu-reset', '-i', '0'], /may only be queried/);
    refused(['nvidia-smi', '-pl', '600'], /may only be queried/);
    refused(['/usr/bin/nvidia-smi', '-i', '0', '-pl', '450'], /may only be queried/);
    refusedScript(commands(['docker', 'ps']), /docker is not on the list/);
    refusedScript(commands(['tmux', 'ls'], ['docker', 'exec', 'c', 'true']), /tmux ls is not a tmux command|docker/);
    refusedScript([{ commands: [{ argv: tmux.hasSession(sock, 'x') }], exit: 256 }], /not an exit status/);
    refusedScript([{ commands: [] }], /no command/);
    // A script's text is never parsed back into argvs: any `sh -c` text not registered is refused.
    refused(['sh', '-c', 'docker ps'], /not one of ours/);
    refused(['sh', '-c', "'tmux' 'ls'; docker exec c true"], /not one of ours/);
    refused(['sh', '-c', scriptText(typeOnceScript(sock, 'claude:0.0', 'send-x-1', 'hi'))], /not one of ours/);
    refused(['sh', '-c', 'tmux has-session $(docker ps -q)'], /not one of ours/);
    refused(['sh', '-c', 'tmux has-session `id`'], /not one of ours/);
    refused(['sh', '-c', 'tmux has-session | sh'], /not one of ours/);
    refused(['sh', '-c', 'tmux show-buffer >/etc/passwd'], /not one of ours/);
    refused(
      tmux.newSession(sock, { session: 'x', width: 200, height: 50, command: 'docker exec -it c claude' }),
      /session command .* refused/,
    );
    // The configured session command is trusted config: the word check catches a mistake, and says
    // so; it is no security boundary (a command spelled to dodge it is the user's own choice).
    const mistake = commandProblem(
      tmux.newSession(sock, { session: 'x', width: 200, height: 50, command: 'docker run --gpus all img claude' }),
      rental,
    );
    assert.match(mistake ?? '', /mentions docker .*trusted config .*runs in the peer’s shell as written/);
    assert.match(mistake ?? '', /not a security boundary/);
    assert.equal(
      commandProblem(
        tmux.newSession(sock, { session: 'x', width: 200, height: 50, command: "d''ocker run img" }),
        rental,
      ),
      undefined,
      'a word match cannot see through shell quoting; the README says so',
    );
    refused(['systemctl', 'restart', 'docker'], /without --user/);
    refused(['systemctl', '--user', 'stop', 'x.service'], /not a command peer-comms uses/);
    refused(['systemctl', '--user', 'restart', 'docker.service'], /docker/);
    refused(['tmux', '-L', 'x', 'kill-server'], /kill-server is not a tmux command/);
    refused(['rm', '-rf', '/'], /rm may only remove a staged file/);
    refused(['rm', '-f', '--', '/home/a/.cache/peer-comms/../../.bashrc'], /rm may only/);
    refused(['git', 'push', '--force'], /not read-only/);
    refused(gitReadArgv('/w', ['reset', '--hard']), /not read-only/);
    refused(gitReadArgv('/w', ['log', '--output=/home/a/.bashrc']), /git log runs only as/);
    refused(gitReadArgv('/w', ['branch', '-D', 'main']), /not read-only/);
    refused(gitReadArgv('/w', ['remote', 'add', 'x', 'y']), /not read-only/);
    refused(gitReadArgv('/w', ['config', 'core.fsmonitor', '/tmp/x']), /only lists the filter drivers/);
    // A git read without the options that keep the repository's config from running commands.
    refused(['git', '-C', '/w', '--no-optional-locks', 'status', '--porcelain=v2', '--branch'], /safety options/);
    refused(['git', '-C', '/w', 'log', '-n', '10', '--no-show-signature', '--format=%h'], /safety options/);
    refused(
      [...gitReadArgv('/w', []), '-c', 'core.fsmonitor=/x', 'status', '--porcelain=v2', '--branch'],
      /filter driver/,
    );
    refused(['bash', '-c', 'true'], /bash is not on the list/);
  });
});

describe('GPU guard', () => {
  const cfg = configSchema.parse({
    peers: { p: { via: 'local', gpu: { powerLimitW: 450, perGpu: { '1': { abortTempC: 80 } } } } },
  }).peers.p!.gpu;

  it('parses nvidia-smi CSV (index, temperature, draw, limit, memory), skipping banners and N/A', () => {
    assert.deepEqual(parseGpuLine('0, 71, 312.45, 450.00, 20110'), {
      index: 0,
      temperatureC: 71,
      powerDrawW: 312.45,
      powerLimitW: 450,
      memoryUsedMiB: 20110,
    });
    assert.equal(parseGpuLine("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."), null);
    assert.equal(parseGpuLine('1, [N/A], [N/A], 450.00, 3')?.temperatureC, null);
  });

  it('flags a GPU at or above its abort temperature (peer-wide 88 °C, per GPU override) and power-limit drift', () => {
    const readings = ['0, 88, 300, 475.00, 1', '1, 80, 300, 450.00, 1', '2, 87, 300, 452.00, 1'].map((l) =>
      parseGpuLine(l)!,
    );
    const check = checkGpus(readings, cfg);
    assert.deepEqual(check.hot, [
      { index: 0, temperatureC: 88, abortTempC: 88 },
      { index: 1, temperatureC: 80, abortTempC: 80 },
    ]);
    assert.deepEqual(check.drift, [{ index: 0, powerLimitW: 475, expectedW: 450 }], 'within 5 W is not drift');
    const lines = describeGpuCheck('rtx', check);
    assert.match(lines[0] ?? '', /^rtx: GPU 0 is at 88 °C, at or above the abort temperature 88 °C$/);
    assert.match(lines[2] ?? '', /GPU 0 power limit is 475 W, expected 450 W/);
  });
});
