/**
 * The systemd user units under deploy/systemd/ (controller worker, dev server, peer worker):
 * they parse as unit files, name what a user unit needs, and start peer-comms by an absolute
 * or %h path. Where systemd-analyze is installed, `systemd-analyze verify --user` must also
 * pass them without a word.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const DIR = join(__dirname, '..', '..', 'deploy', 'systemd');

type Unit = Map<string, Map<string, string[]>>;

/** systemd's unit file syntax: [Section], Key=Value, `#`/`;` comments, `\` continuations. */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      assert.ok(!unit.has(header[1]!), `line ${i + 1}: section [${header[1]}] twice`);
      section = new Map();
      unit.set(header[1]!, section);
      return;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    assert.ok(kv, `line ${i + 1}: not Key=Value: ${line}`);
    assert.ok(section, `line ${i + 1}: ${kv[1]} before any [Section]`);
    section.set(kv[1]!, [...(section.get(kv[1]!) ?? []), kv[2]!.trim()]);
  });
  return unit;
}

const one = (unit: Unit, section: string, key: string): string => {
  const values = unit.get(section)?.get(key);
  assert.ok(values && values.length > 0, `[${section}] ${key}= missing`);
  return values[values.length - 1]!;
};

const files = readdirSync(DIR).filter((f) => f.endsWith('.service'));

describe('deploy/systemd units', () => {
  it('has the controller worker, the dev server and the peer worker', () => {
    assert.deepEqual(files.sort(), [
      'peer-comms-controller.service',
      'peer-comms-dev.service',
      'peer-comms-peer@.service',
    ]);
  });

  for (const file of files) {
    it(`${file}: sections, keys, targets and an absolute ExecStart`, () => {
      const unit = parseUnit(readFileSync(join(DIR, file), 'utf8'));
      assert.deepEqual([...unit.keys()], ['Unit', 'Service', 'Install']);
      assert.ok(one(unit, 'Unit', 'Description').length > 0);
      assert.equal(one(unit, 'Unit', 'After'), 'network-online.target');
      assert.equal(one(unit, 'Unit', 'Wants'), 'network-online.target');
      // a user manager has default.target; multi-user.target is a system unit's target
      assert.equal(one(unit, 'Install', 'WantedBy'), 'default.target');
      assert.equal(one(unit, 'Service', 'Restart'), 'on-failure');
      assert.match(one(unit, 'Service', 'RestartSec'), /^\d+$/);
      assert.equal(one(unit, 'Service', 'RestartPreventExitStatus'), '2');
      const exec = one(unit, 'Service', 'ExecStart');
      assert.match(exec, /^(\/|%h\/)\S+/, `ExecStart must start with an absolute or %h path: ${exec}`);
      assert.match(exec, /dist\/cli\/main\.js (worker|dev)\b/);
      assert.ok(!unit.get('Service')!.has('User'), 'a user unit has no User=');
    });
  }

  it('the peer worker takes the peer name from the instance (%i)', () => {
    const unit = parseUnit(readFileSync(join(DIR, 'peer-comms-peer@.service'), 'utf8'));
    assert.match(one(unit, 'Service', 'ExecStart'), / worker --peer %i$/);
  });

  it('dev: SIGTERM goes to peer-comms alone, which stops its dev server after the worker', () => {
    const dev = parseUnit(readFileSync(join(DIR, 'peer-comms-dev.service'), 'utf8'));
    assert.equal(one(dev, 'Service', 'KillMode'), 'mixed');
  });

  it('the controller and dev units exclude each other (dev runs its own controller worker)', () => {
    const controller = parseUnit(readFileSync(join(DIR, 'peer-comms-controller.service'), 'utf8'));
    const dev = parseUnit(readFileSync(join(DIR, 'peer-comms-dev.service'), 'utf8'));
    assert.equal(one(controller, 'Unit', 'Conflicts'), 'peer-comms-dev.service');
    assert.equal(one(dev, 'Unit', 'Conflicts'), 'peer-comms-controller.service');
  });

  it('the parser refuses what systemd would not read', () => {
    assert.throws(() => parseUnit('ExecStart=/bin/true\n'), /before any \[Section\]/);
    assert.throws(() => parseUnit('[Service]\nExecStart /bin/true\n'), /not Key=Value/);
    assert.throws(() => parseUnit('[Unit]\n[Unit]\n'), /twice/);
  });

  describe('systemd-analyze verify --user', () => {
    const found = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    const skip = found.status === 0 ? false : 'systemd-analyze is not installed';
    const work = mkdtempSync(join(tmpdir(), 'units-'));
    after(() => rmSync(work, { recursive: true, force: true }));

    it('passes every unit without a warning', { skip }, () => {
      const runtime = join(work, 'run');
      mkdirSync(runtime, { mode: 0o700 });
      // a template is verified through an instance of it
      const paths = files.map((f) => {
        const to = join(work, f.replace('@.service', '@example.service'));
        copyFileSync(join(DIR, f), to);
        return to;
      });
      const res = spawnSync('systemd-analyze', ['verify', '--user', '--man=no', ...paths], {
        encoding: 'utf8',
        env: { ...process.env, XDG_RUNTIME_DIR: runtime },
      });
      assert.equal(`${res.stdout}${res.stderr}`.trim(), '');
      assert.equal(res.status, 0);
    });

    it('and would name a broken line', { skip }, () => {
      const runtime = join(work, 'run2');
      mkdirSync(runtime, { mode: 0o700 });
      const bad = join(work, 'bad.service');
      const text = readFileSync(join(DIR, 'peer-comms-dev.service'), 'utf8').replace(
        'Restart=on-failure',
        'Restart=sometimes',
      );
      writeFileSync(bad, text);
      const res = spawnSync('systemd-analyze', ['verify', '--user', '--man=no', bad], {
        encoding: 'utf8',
        env: { ...process.env, XDG_RUNTIME_DIR: runtime },
      });
      assert.match(`${res.stdout}${res.stderr}`, /restart specifier/);
    });
  });
});
