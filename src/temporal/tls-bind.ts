/**
 * Where `peer-comms dev` listens for peer workers on other machines, and what it refuses
 * (docs/multi-machine.md): a frontend on a non-loopback address without TLS only with an
 * explicit --allow-plaintext (then a warning), since whoever reaches it can start, read and
 * cancel every workflow; with TLS, a listener that would also take the plaintext 127.0.0.1
 * port.
 */
import { isIP } from 'node:net';

export interface DevBind {
  ip: string;
  port: number;
  /** The TLS listener's port (TLS on). */
  tlsPort?: number;
  tls: boolean;
  allowPlaintext: boolean;
}

export function isWildcard(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::';
}

export function isLoopback(ip: string): boolean {
  return ip === 'localhost' || ip === '::1' || (isIP(ip) === 4 && ip.startsWith('127.'));
}

/** The address this machine connects to for a server bound to `ip` (a wildcard: loopback). */
export function connectHostFor(ip: string): string {
  if (ip === '0.0.0.0') return '127.0.0.1';
  if (ip === '::') return '::1';
  return ip;
}

/** host and port of `host:port` or `[v6]:port`; undefined for other forms (dns:///…, unix:…, no port). */
export function parseHostPort(address: string): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:/[\]]+):(\d+)$/.exec(address);
  if (!m?.[1] || !m[2]) return undefined;
  return { host: m[1], port: Number(m[2]) };
}

/** host:port, an IPv6 host in brackets. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A reason to refuse the bind (exit 2, nothing started), or a warning to print, or neither. */
export function checkDevBind(b: DevBind): { error?: string; warning?: string } {
  if (b.ip !== 'localhost' && isIP(b.ip) === 0)
    return { error: `--ip ${JSON.stringify(b.ip)}: expected an IP address of this machine, e.g. 192.0.2.10` };
  if (b.tls && b.allowPlaintext)
    return { error: '--allow-plaintext and --tls-dir contradict each other: give one (TLS: docs/multi-machine.md)' };
  if (!b.tls) {
    if (isLoopback(b.ip)) return {};
    const what = `Temporal's frontend on ${hostPort(b.ip, b.port)} without TLS: anyone who can reach that port can start, read and cancel every workflow`;
    if (!b.allowPlaintext)
      return {
        error: `refused: ${what}. Make certificates (\`peer-comms certs --server <this machine's name or address> --client <peer>\`) and add --tls-dir, or add --allow-plaintext on a network you trust (docs/multi-machine.md); nothing was started`,
      };
    return { warning: `WARNING: ${what}; open the port only to your peers (docs/multi-machine.md)` };
  }
  const tlsPort = b.tlsPort ?? b.port;
  if (tlsPort === b.port && (isWildcard(b.ip) || b.ip === '127.0.0.1' || b.ip === 'localhost'))
    return {
      error: `with --tls-dir, 127.0.0.1:${b.port} stays this machine's plaintext port, so the TLS listener cannot be on ${hostPort(b.ip, tlsPort)}: give the address the peers reach (--ip 192.0.2.10) or another --tls-port (e.g. ${b.port + 1})`,
    };
  return {};
}
