/**
 * The Temporal Web UI link for a workflow, for every address form the connection can have:
 * - PEER_COMMS_UI_URL, then `temporal.uiUrl` in peers.yaml: that UI, whatever the address;
 * - Temporal Cloud (`<ns>.<acct>.tmprl.cloud:7233` for mTLS, `<region>.<cloud>.api.temporal.io:7233`
 *   for API keys): https://cloud.temporal.io;
 * - anything else: the dev server's UI beside the frontend (port + 1000, so 127.0.0.1:7233 →
 *   http://127.0.0.1:8233); a self-hosted cluster's UI is elsewhere: set `temporal.uiUrl`.
 * Every UI (dev server, self-hosted, Cloud) shows a workflow at /namespaces/<ns>/workflows/<id>.
 */

export const CLOUD_UI = 'https://cloud.temporal.io';

export interface UiLinkSettings {
  /** host:port of the frontend, as the connection uses it. */
  address: string;
  namespace: string;
  /** The UI's base URL from the peers file (`temporal.uiUrl`), if set. */
  uiUrl?: string;
}

/** True for a Temporal Cloud frontend address (mTLS namespace endpoint or API-key regional endpoint). */
export function isCloudAddress(address: string): boolean {
  const host = splitAddress(address).host.toLowerCase();
  return host.endsWith('.tmprl.cloud') || host.endsWith('.api.temporal.io');
}

/** The UI's base URL, without a trailing slash. `env`: the environment (PEER_COMMS_UI_URL). */
export function uiBaseUrl(settings: UiLinkSettings, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.PEER_COMMS_UI_URL || settings.uiUrl;
  if (configured) return configured.replace(/\/+$/, '');
  if (isCloudAddress(settings.address)) return CLOUD_UI;
  const { host, port } = splitAddress(settings.address);
  // 0.0.0.0 / :: are listen addresses, not places a browser can go: the same machine's loopback.
  const shown = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const hostPart = shown.includes(':') ? `[${shown}]` : shown;
  return `http://${hostPart}:${port + 1000}`;
}

/** The UI page of one workflow. */
export function workflowLink(
  settings: UiLinkSettings,
  workflowId: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const ns = encodeURIComponent(settings.namespace);
  return `${uiBaseUrl(settings, env)}/namespaces/${ns}/workflows/${encodeURIComponent(workflowId)}`;
}

/** host and port of `host:port`, `[v6]:port`, or a bare host (port 7233). */
export function splitAddress(address: string): { host: string; port: number } {
  const trimmed = address.trim().replace(/^[a-z]+:\/\//i, '');
  const v6 = /^\[([^\]]*)\](?::(\d+))?$/.exec(trimmed);
  if (v6) return { host: v6[1] ?? '', port: v6[2] ? Number(v6[2]) : 7233 };
  const colons = trimmed.split(':').length - 1;
  if (colons === 1) {
    const [host = '', port = ''] = trimmed.split(':');
    return { host, port: /^\d+$/.test(port) ? Number(port) : 7233 };
  }
  return { host: trimmed, port: 7233 }; // a bare host, or a bare IPv6 address
}
