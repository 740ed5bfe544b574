/**
 * Multi-machine TLS parts on loopback: the certificates `peer-comms certs` makes (a CA, the
 * server's names, clients; keys 0600; the CA kept and reused), the mutual-TLS listener in front
 * of a plaintext port (a client with our certificate gets through with ALPN h2; without one, or
 * with another CA's, it is refused and the controller's line says why), and the bind checks of
 * `peer-comms dev`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, connect as netConnect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { portOpen } from '../../src/temporal/dev-server';
import { checkDevBind, connectHostFor } from '../../src/temporal/tls-bind';
import { loadClientConnectConfigReadably } from '../../src/temporal/tls-client';
import { CertInputError, makeCertificates, type CertRequest } from '../../src/temporal/tls-certs';
import { startTlsTerminator, tlsServerFilesIn, type TlsTerminator } from '../../src/temporal/tls-terminator';
import { runCliBare } from '../helpers/cli';
import { waitFor } from '../helpers/wait';
import { freePort } from '../helpers/ports';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pc-tls-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const req = (sub: string, over: Partial<CertRequest> = {}): CertRequest => ({
  dir: join(dir, sub),
  server: [],
  clients: [],
  days: 30,
  force: false,
  ...over,
});

const pem = async (d: string, f: string) => new X509Certificate(await readFile(join(d, f)));

void describe('peer-comms certs', () => {
  it('makes a CA, a server certificate for names and addresses, client certificates; keys 0600', async () => {
    const r = req('a', { server: ['controller.lan', '192.0.2.10'], clients: ['gpu1'] });
    const res = await makeCertificates(r);
    assert.equal(res.caReused, false);
    const ca = await pem(r.dir, 'ca.pem');
    const server = await pem(r.dir, 'server.pem');
    const client = await pem(r.dir, 'client-gpu1.pem');
    assert.ok(ca.ca);
    assert.ok(server.verify(ca.publicKey) && server.checkIssued(ca));
    assert.ok(client.verify(ca.publicKey) && client.checkIssued(ca));
    assert.equal(server.ca, false);
    assert.match(server.subjectAltName ?? '', /DNS:controller\.lan/);
    assert.match(server.subjectAltName ?? '', /IP Address:192\.0\.2\.10/);
    assert.equal(server.checkHost('controller.lan'), 'controller.lan');
    assert.equal(server.checkIP('192.0.2.10'), '192.0.2.10');
    assert.match(client.subject, /CN=gpu1/);
    for (const key of ['ca-key.pem', 'server-key.pem', 'client-gpu1-key.pem']) {
      assert.equal((await stat(join(r.dir, key))).mode & 0o777, 0o600, key);
      assert.match(await readFile(join(r.dir, key), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
    }
    assert.equal((await stat(r.dir)).mode & 0o777, 0o700);
  });

  it('signs a later client with the CA already there, and refuses to replace without --force', async () => {
    const r = req('b', { server: ['127.0.0.2'] });
    await makeCertificates(r);
    const caBefore = await readFile(join(r.dir, 'ca.pem'), 'utf8');
    const later = await makeCertificates({ ...r, server: [], clients: ['gpu2'] });
    assert.equal(later.caReused, true);
    assert.equal(await readFile(join(r.dir, 'ca.pem'), 'utf8'), caBefore);
    assert.ok((await pem(r.dir, 'client-gpu2.pem')).checkIssued(await pem(r.dir, 'ca.pem')));
    const serverBefore = await readFile(join(r.dir, 'server.pem'), 'utf8');
    await assert.rejects(makeCertificates({ ...r, clients: ['gpu3'] }), (e: Error) => {
      assert.ok(e instanceof CertInputError);
      assert.match(e.message, /server\.pem exists: add --force/);
      return true;
    });
    await assert.rejects(stat(join(r.dir, 'client-gpu3.pem')), 'nothing was written');
    await makeCertificates({ ...r, force: true });
    assert.notEqual(await readFile(join(r.dir, 'server.pem'), 'utf8'), serverBefore);
  });

  it('refuses what cannot become a certificate before writing anything', async () => {
    for (const [over, msg] of [
      [{ clients: ['../x'] }, /--client "\.\.\/x"/],
      [{ server: ['not a name'] }, /--server "not a name" is neither/],
      [{ clients: ['ok'], days: 0 }, /--days 0/],
      [{}, /nothing to make/],
    ] as [Partial<CertRequest>, RegExp][]) {
      await assert.rejects(
        makeCertificates(req('c', over)),
        (e: Error) => e instanceof CertInputError && msg.test(e.message),
      );
    }
    await assert.rejects(stat(join(dir, 'c')), 'no folder was made');
  });
});

void describe('the mutual-TLS listener', () => {
  let echo: Server;
  let term: TlsTerminator;
  const lines: string[] = [];
  const certs = () => join(dir, 'term');
  const other = () => join(dir, 'other');

  before(async () => {
    await makeCertificates(req('term', { server: ['127.0.0.2'], clients: ['gpu1'] }));
    await makeCertificates(req('other', { clients: ['gpu1'] })); // another CA
    echo = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const a = echo.address();
    const target = { host: '127.0.0.1', port: typeof a === 'object' && a ? a.port : 0 };
    term = await startTlsTerminator({
      files: tlsServerFilesIn(certs()),
      host: '127.0.0.2',
      port: 0,
      target,
      log: (l) => lines.push(l),
    });
  });
  after(async () => {
    await term?.close();
    echo?.close();
  });

  const port = () => Number(term.address.split(':')[1]);

  async function tryClient(
    clientDir: string | undefined,
  ): Promise<{ echoed?: string; alpn?: string | false | null; error?: string }> {
    const ca = await readFile(join(certs(), 'ca.pem'));
    const client = clientDir
      ? {
          cert: await readFile(join(clientDir, 'client-gpu1.pem')),
          key: await readFile(join(clientDir, 'client-gpu1-key.pem')),
        }
      : {};
    return new Promise((resolve) => {
      const sock = tlsConnect({ host: '127.0.0.2', port: port(), ca, ...client, ALPNProtocols: ['h2'] });
      sock.once('secureConnect', () => sock.write('ping'));
      sock.once('data', (b: Buffer) => {
        resolve({ echoed: b.toString('utf8'), alpn: sock.alpnProtocol });
        sock.destroy();
      });
      sock.once('error', (e: Error) => resolve({ error: e.message }));
      sock.once('close', () => resolve({ error: 'closed' }));
    });
  }

  it('lets a client with our certificate through to the plaintext port, with ALPN h2', async () => {
    assert.deepEqual(await tryClient(certs()), { echoed: 'ping', alpn: 'h2' });
  });

  it('refuses a client without a certificate or with another CA, and says why', async () => {
    assert.equal((await tryClient(undefined)).echoed, undefined);
    await waitFor(() => lines.some((l) => /showed no client certificate/.test(l)), {
      timeoutMs: 5000,
      what: 'the line',
    });
    assert.equal((await tryClient(other())).echoed, undefined);
    await waitFor(() => lines.some((l) => /not signed by this CA/.test(l)), { timeoutMs: 5000, what: 'the line' });
    assert.ok(
      lines.every((l) => l.startsWith('TLS: refused a connection from 127.0.0.1: ')),
      lines.join('\n'),
    );
  });

  it('says nothing of a port probe (connect, close)', async () => {
    const before = lines.length;
    await new Promise<void>((r) => {
      const probe = netConnect({ host: '127.0.0.2', port: port() }, () => {
        probe.end();
        r();
      });
    });
    assert.equal((await tryClient(certs())).echoed, 'ping'); // still serving, and the probe is long gone
    assert.equal(lines.length, before, lines.slice(before).join('\n'));
  });
});

void describe('peer-comms dev --ip / --tls-dir checks', () => {
  const base = { port: 7233, tls: false, allowPlaintext: false };
  it('loopback needs nothing; another address needs TLS or --allow-plaintext (then a warning)', () => {
    assert.deepEqual(checkDevBind({ ...base, ip: '127.0.0.1' }), {});
    assert.match(
      checkDevBind({ ...base, ip: '192.0.2.10' }).error ?? '',
      /^refused: .*without TLS.*--tls-dir.*--allow-plaintext/,
    );
    const w = checkDevBind({ ...base, ip: '0.0.0.0', allowPlaintext: true });
    assert.equal(w.error, undefined);
    assert.match(w.warning ?? '', /^WARNING: .*0\.0\.0\.0:7233 without TLS/);
    assert.match(checkDevBind({ ...base, ip: 'controller.lan' }).error ?? '', /expected an IP address/);
    assert.match(checkDevBind({ ...base, ip: '192.0.2.1', tls: true, allowPlaintext: true }).error ?? '', /contradict/);
  });
  it('TLS: the listener may not take 127.0.0.1:<port>, where the plaintext frontend stays', () => {
    assert.deepEqual(checkDevBind({ ...base, tls: true, ip: '192.0.2.10' }), {});
    assert.deepEqual(checkDevBind({ ...base, tls: true, ip: '127.0.0.2' }), {});
    for (const ip of ['0.0.0.0', '::', '127.0.0.1'])
      assert.match(checkDevBind({ ...base, tls: true, ip }).error ?? '', /--tls-port \(e\.g\. 7234\)/, ip);
    assert.deepEqual(checkDevBind({ ...base, tls: true, ip: '0.0.0.0', tlsPort: 7234 }), {});
  });
  it('peer-comms dev refuses a bad bind before anything starts (exit 2, no server)', async () => {
    const port = String(await freePort('127.0.0.1'));
    const dev = (args: string[]) => runCliBare(['dev', '--no-download', '--port', port, ...args], { cwd: dir });
    const plain = await dev(['--ip', '192.0.2.1']);
    assert.equal(plain.code, 2, plain.stderr);
    assert.match(plain.stderr, /refused: Temporal's frontend on 192\.0\.2\.1:\d+ without TLS/);
    const wild = await dev(['--ip', '0.0.0.0', '--tls-dir', join(dir, 'term')]);
    assert.equal(wild.code, 2, wild.stderr);
    assert.match(wild.stderr, /--tls-port/);
    const missing = await dev(['--ip', '127.0.0.2', '--tls-dir', join(dir, 'nothing-here')]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(
      missing.stderr,
      /cannot read the server certificate .*nothing-here.*server\.pem \(ENOENT\).*peer-comms certs/,
    );
    assert.equal(await portOpen(Number(port)), false, 'no dev server was started');
  });
  it('a wildcard bind is reached on loopback from this machine', () => {
    assert.equal(connectHostFor('0.0.0.0'), '127.0.0.1');
    assert.equal(connectHostFor('::'), '::1');
    assert.equal(connectHostFor('192.0.2.10'), '192.0.2.10');
  });
});

void describe('the client side (envconfig TLS settings)', () => {
  it('a TLS file that cannot be read is a configuration error naming the file and the settings', () => {
    const saved = { ...process.env };
    process.env.TEMPORAL_ADDRESS = '127.0.0.2:7233';
    process.env.TEMPORAL_TLS_SERVER_CA_CERT_PATH = join(dir, 'missing-ca.pem');
    try {
      assert.throws(loadClientConnectConfigReadably, (e: Error) => {
        assert.equal(e.name, 'ConfigError'); // exit 2 in the CLI
        assert.match(e.message, /^cannot read .*missing-ca\.pem \(ENOENT\), named .* by TEMPORAL_TLS_CLIENT_CERT_PATH/);
        return true;
      });
    } finally {
      process.env = saved;
    }
  });

  it('an empty TEMPORAL_API_KEY means unset: no API key, no TLS (a set one turns TLS on)', () => {
    const saved = { ...process.env };
    try {
      process.env.TEMPORAL_ADDRESS = '127.0.0.1:7233';
      process.env.TEMPORAL_API_KEY = '';
      const cleared = loadClientConnectConfigReadably().connectionOptions;
      assert.equal(cleared.address, '127.0.0.1:7233');
      assert.equal(cleared.apiKey, undefined);
      assert.ok(!cleared.tls, 'no TLS for an empty key');
      process.env.TEMPORAL_API_KEY = 'k';
      const withKey = loadClientConnectConfigReadably().connectionOptions;
      assert.equal(withKey.apiKey, 'k');
      assert.equal(withKey.tls, true);
    } finally {
      process.env = saved;
    }
  });

  it('the files peer-comms certs makes load as the connection’s mTLS settings', async () => {
    const r = req('client', { server: ['controller.lan'], clients: ['gpu1'] });
    await makeCertificates(r);
    const saved = { ...process.env };
    process.env.TEMPORAL_TLS_SERVER_CA_CERT_PATH = join(r.dir, 'ca.pem');
    process.env.TEMPORAL_TLS_CLIENT_CERT_PATH = join(r.dir, 'client-gpu1.pem');
    process.env.TEMPORAL_TLS_CLIENT_KEY_PATH = join(r.dir, 'client-gpu1-key.pem');
    process.env.TEMPORAL_TLS_SERVER_NAME = 'controller.lan';
    try {
      const tls = loadClientConnectConfigReadably().connectionOptions.tls;
      assert.ok(tls && typeof tls === 'object');
      assert.equal(tls.serverNameOverride, 'controller.lan');
      assert.equal(
        Buffer.from(tls.serverRootCACertificate ?? []).toString('utf8'),
        await readFile(join(r.dir, 'ca.pem'), 'utf8'),
      );
      assert.equal(
        Buffer.from(tls.clientCertPair?.key ?? []).toString('utf8'),
        await readFile(join(r.dir, 'client-gpu1-key.pem'), 'utf8'),
      );
    } finally {
      process.env = saved;
    }
  });
});

void describe('peer-comms tls-proxy', () => {
  it('serves mutual TLS in front of a plaintext port until SIGTERM; a bad --listen is exit 2', async () => {
    const certs = join(dir, 'proxy');
    await makeCertificates(req('proxy', { server: ['127.0.0.2'], clients: ['gpu1'] }));
    const echo = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const a = echo.address();
    const target = `127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    const bad = await runCliBare(['tls-proxy', '--listen', 'nope', '--tls-dir', certs], { cwd: dir });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--listen "nope": expected host:port/);
    const main = join(__dirname, '..', '..', 'src', 'cli', 'main.ts');
    const listen = `127.0.0.2:${await freePort('127.0.0.2')}`;
    const args = ['--import', 'tsx', main, 'tls-proxy', '--listen', listen, '--target', target, '--tls-dir', certs];
    const proxy = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proxy.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    try {
      await waitFor(() => stderr.includes('TLS proxy: peers connect to') || proxy.exitCode !== null, {
        timeoutMs: 30_000,
        what: 'the proxy to listen',
      });
      assert.equal(proxy.exitCode, null, stderr);
      const ca = await readFile(join(certs, 'ca.pem'));
      const cert = await readFile(join(certs, 'client-gpu1.pem'));
      const key = await readFile(join(certs, 'client-gpu1-key.pem'));
      const echoed = await new Promise<string>((resolve, reject) => {
        const [host, port] = listen.split(':');
        const sock = tlsConnect({ host, port: Number(port), ca, cert, key, ALPNProtocols: ['h2'] }, () =>
          sock.write('ping'),
        );
        sock.once('data', (b: Buffer) => {
          resolve(b.toString('utf8'));
          sock.destroy();
        });
        sock.once('error', reject);
      });
      assert.equal(echoed, 'ping');
      const exited = new Promise<number | null>((r) => proxy.once('exit', (code) => r(code)));
      proxy.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
    } finally {
      if (proxy.exitCode === null) proxy.kill('SIGKILL');
      echo.close();
    }
  });
});
