/**
 * A fake Anthropic Messages API on 127.0.0.1:<random port>, for running the real Claude Code
 * offline (ANTHROPIC_BASE_URL=fake.url). Every request is recorded (headers without the key).
 *
 *   const api = await FakeAnthropic.start();
 *   api.setMode('slow', { slowMs: 5000 });   // or 'ok' | '401' | '429' | '529' | '500'
 *   ...
 *   api.userTexts();                          // what the model received, oldest first
 *   await api.close();                        // in after(), always
 *
 * POST /v1/messages answers SSE when `stream: true` (message_start, content_block_start,
 * content_block_delta…, content_block_stop, message_delta, message_stop), else one JSON message;
 * POST /v1/messages/count_tokens answers {input_tokens}; anything else is a 404 JSON error.
 * Error modes answer every /v1/messages request (side requests too: titles, quota checks), so
 * a turn fails the same way Claude Code sees it with a real refused token.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FakeMode = 'ok' | 'slow' | '401' | '429' | '529' | '500';

export interface ModeOptions {
  /** 'slow': the answer is streamed over this many ms (default 10 000). */
  slowMs?: number;
  /** '429': the rate-limit reset, epoch seconds (default now + 5 minutes). */
  resetEpochS?: number;
  /** The assistant's answer text for 'ok' and 'slow' (default "Acknowledged. Working on it."). */
  reply?: string;
  /** Answer only this many /v1/messages requests in this mode, then go back to 'ok'. */
  count?: number;
}

export interface RecordedRequest {
  /** ms since epoch, when the request's body had arrived. */
  at: number;
  method: string;
  path: string;
  /** Lower-cased header names; x-api-key and authorization are replaced by "<redacted>". */
  headers: Record<string, string>;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  /** The mode the request was answered in ('401' also when its token was not accepted). */
  mode: FakeMode;
  /** Whether the request's token (x-api-key or Bearer) was accepted (always true without setValidTokens). */
  authorized: boolean;
}

export const DEFAULT_REPLY = 'Acknowledged. Working on it.';

interface MessageBody {
  model?: string;
  stream?: boolean;
  messages?: { role: string; content: unknown }[];
  system?: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The text of one message's content (a string, or the concatenated text blocks). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b: unknown) => (isRecord(b) && b.type === 'text' && typeof b.text === 'string' ? b.text : ''))
    .join('');
}

export class FakeAnthropic {
  readonly requests: RecordedRequest[] = [];
  private mode: FakeMode = 'ok';
  private validTokens: Set<string> | null = null;
  private opts: ModeOptions = {};
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeAnthropic> {
    const box: { self?: FakeAnthropic } = {};
    const server = createServer((req, res) => {
      box.self?.handle(req, res);
    });
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => done());
    });
    const { port } = server.address() as AddressInfo;
    const s = new FakeAnthropic(server, `http://127.0.0.1:${port}`);
    box.self = s;
    server.on('connection', (sock) => {
      s.sockets.add(sock);
      sock.on('close', () => s.sockets.delete(sock));
    });
    return s;
  }

  setMode(mode: FakeMode, opts: ModeOptions = {}): void {
    this.mode = mode;
    this.opts = { ...opts };
  }

  getMode(): FakeMode {
    return this.mode;
  }

  /**
   * Only these tokens (x-api-key or `authorization: Bearer`) are accepted: any other gets the
   * 401 answer whatever the mode, as the real API does with an expired OAuth token. null: all.
   */
  setValidTokens(tokens: readonly string[] | null): void {
    this.validTokens = tokens ? new Set(tokens) : null;
  }

  /** Requests to /v1/messages (not count_tokens). */
  messageRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.split('?')[0] === '/v1/messages');
  }

  /**
   * Main-loop turn requests: /v1/messages whose body has tools (side requests — titles,
   * quota probes — carry none). Falls back to every message request when none has tools.
   */
  turnRequests(): RecordedRequest[] {
    return this.messageRequests().filter(
      (r) => isRecord(r.body) && Array.isArray(r.body.tools) && r.body.tools.length > 0,
    );
  }

  /** The text of the last user message of each turn request (what the model was asked). */
  userTexts(): string[] {
    const out: string[] = [];
    for (const r of this.turnRequests()) {
      const body = r.body as MessageBody;
      const msgs = (body.messages ?? []).filter((m) => m.role === 'user');
      const last = msgs[msgs.length - 1];
      if (last) out.push(contentText(last.content));
    }
    return out;
  }

  /** Every user-message text block of every /v1/messages request, for `includes` searches. */
  allUserBlocks(): string[] {
    const out: string[] = [];
    for (const r of this.messageRequests()) {
      const body = r.body as MessageBody;
      for (const m of body.messages ?? []) {
        if (m.role !== 'user') continue;
        if (typeof m.content === 'string') out.push(m.content);
        else if (Array.isArray(m.content))
          for (const b of m.content as unknown[])
            if (isRecord(b) && b.type === 'text' && typeof b.text === 'string') out.push(b.text);
      }
    }
    return out;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw ? (JSON.parse(raw) as unknown) : null;
      } catch {
        /* keep the raw text */
      }
      const headers: Record<string, string> = {};
      const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
      const token = typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : bearer;
      const authorized = this.validTokens === null || (token !== undefined && this.validTokens.has(token));
      for (const [k, v] of Object.entries(req.headers)) {
        if (v === undefined) continue;
        headers[k] = k === 'x-api-key' || k === 'authorization' ? '<redacted>' : Array.isArray(v) ? v.join(', ') : v;
      }
      const path = req.url ?? '/';
      const isMessages = (path.split('?')[0] ?? '').startsWith('/v1/messages');
      const mode: FakeMode = isMessages && !authorized ? '401' : this.mode;
      const opts = { ...this.opts };
      if (
        path.split('?')[0] === '/v1/messages' &&
        authorized &&
        this.opts.count !== undefined &&
        --this.opts.count <= 0
      )
        this.setMode('ok');
      this.requests.push({ at: Date.now(), method: req.method ?? 'GET', path, headers, body, mode, authorized });
      try {
        this.answer(req.method ?? 'GET', path.split('?')[0] ?? '/', body, res, mode, opts);
      } catch (err) {
        if (!res.headersSent)
          this.json(res, 500, { type: 'error', error: { type: 'api_error', message: String(err) } });
      }
    });
  }

  private json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(value);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'request-id': `req_${randomBytes(12).toString('hex')}`,
      ...headers,
    });
    res.end(text);
  }

  private answer(
    method: string,
    path: string,
    body: unknown,
    res: ServerResponse,
    mode: FakeMode,
    opts: ModeOptions,
  ): void {
    if (method === 'POST' && path === '/v1/messages/count_tokens') {
      const n = Math.max(1, Math.ceil(JSON.stringify(body ?? '').length / 4));
      this.json(res, 200, { input_tokens: n });
      return;
    }
    if (method === 'HEAD' || (method === 'GET' && (path === '/' || path === ''))) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(method === 'HEAD' ? undefined : 'fake anthropic');
      return;
    }
    if (!(method === 'POST' && path === '/v1/messages')) {
      this.json(res, 404, {
        type: 'error',
        error: { type: 'not_found_error', message: `Not found: ${method} ${path}` },
      });
      return;
    }
    const b: MessageBody = isRecord(body) ? body : {};
    switch (mode) {
      case '401':
        this.json(res, 401, {
          type: 'error',
          error: {
            type: 'authentication_error',
            message: 'OAuth token has expired. Please obtain a new token or refresh your existing token.',
          },
        });
        return;
      case '429': {
        const reset = opts.resetEpochS ?? Math.floor(Date.now() / 1000) + 300;
        const retryAfter = Math.max(1, reset - Math.floor(Date.now() / 1000));
        this.json(
          res,
          429,
          {
            type: 'error',
            error: {
              type: 'rate_limit_error',
              message: "This request would exceed your account's rate limit. Please try again later.",
            },
          },
          {
            'retry-after': String(retryAfter),
            'anthropic-ratelimit-unified-status': 'rejected',
            'anthropic-ratelimit-unified-reset': String(reset),
            'anthropic-ratelimit-unified-5h-status': 'rejected',
            'anthropic-ratelimit-unified-5h-reset': String(reset),
            'anthropic-ratelimit-unified-5h-utilization': '1.0',
            'anthropic-ratelimit-unified-representative-claim': 'five_hour',
            'anthropic-ratelimit-unified-fallback-percentage': '0.5',
            'anthropic-ratelimit-unified-overage-status': 'rejected',
            'anthropic-ratelimit-unified-overage-disabled-reason': 'org_level_disabled',
            'x-should-retry': 'false',
          },
        );
        return;
      }
      case '529':
        this.json(res, 529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
        return;
      case '500':
        this.json(res, 500, { type: 'error', error: { type: 'api_error', message: 'Internal server error' } });
        return;
      case 'ok':
      case 'slow':
        break;
    }
    const text = opts.reply ?? DEFAULT_REPLY;
    const model = typeof b.model === 'string' ? b.model : 'claude-sonnet-4-5';
    const id = `msg_${randomBytes(12).toString('hex')}`;
    const usage = { input_tokens: 10, output_tokens: 8, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    if (b.stream !== true) {
      this.json(res, 200, {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage,
      });
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'request-id': `req_${randomBytes(12).toString('hex')}`,
    });
    const event = (name: string, data: unknown): void => {
      if (!res.writableEnded && !res.destroyed) res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    event('message_start', {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    });
    event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    const pieces = text.match(/.{1,8}/gsu) ?? [text];
    const finish = (): void => {
      event('content_block_stop', { type: 'content_block_stop', index: 0 });
      event('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: 8 },
      });
      event('message_stop', { type: 'message_stop' });
      if (!res.writableEnded) res.end();
    };
    const delta = (p: string): void =>
      event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } });
    if (mode === 'ok') {
      for (const p of pieces) delta(p);
      finish();
      return;
    }
    const total = opts.slowMs ?? 10_000;
    const step = total / (pieces.length + 1);
    pieces.forEach((p, i) => this.later(step * (i + 1), () => delta(p)));
    this.later(total, finish);
    // keep the connection alive against client idle timeouts
    const ping = setInterval(() => event('ping', { type: 'ping' }), 2000);
    this.timers.add(ping);
    res.on('close', () => {
      clearInterval(ping);
      this.timers.delete(ping);
    });
  }
}
