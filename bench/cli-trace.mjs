// Preloaded into a `peer-comms` CLI process by bench/cli-overhead.ts (`node --import <this>`):
// records, without changing the CLI, where its time goes. Written as JSON to
// $PEER_COMMS_TRACE_FILE when the process exits:
// - loadStart: when this preload ran (epoch ms; node's own start is before it);
// - modules: per package, the files loaded and the time spent loading them (self time: a file's
//   nested loads are counted to their own package);
// - rpcs: each gRPC call to Temporal (method, start, end, epoch ms);
// - exitAt: when the process began to exit;
// - cpu: CPU ms (user + system) the process had used at its first RPC and at its exit (load barely
//   changes these, unlike wall times).
import { writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import Module from 'node:module';
import { performance } from 'node:perf_hooks';

const now = () => performance.timeOrigin + performance.now();
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const trace = {
  loadStart: now(),
  nodeStart: performance.timeOrigin,
  modules: {},
  rpcs: [],
  exitAt: 0,
  cpu: { firstRpc: NaN, exit: NaN },
};
const out = process.env.PEER_COMMS_TRACE_FILE;

/** The package a file belongs to: node_modules/<pkg> (or @scope/pkg), else peer-comms' own. */
function packageOf(file) {
  const at = file.lastIndexOf('node_modules/');
  if (at < 0) return file.includes('/dist/') ? 'peer-comms (dist)' : 'other';
  const parts = file.slice(at + 'node_modules/'.length).split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

const stack = [];
const load = Module.prototype.load;
Module.prototype.load = function (filename) {
  const start = now();
  stack.push(0);
  try {
    return load.call(this, filename);
  } finally {
    const nested = stack.pop();
    const total = now() - start;
    if (stack.length) stack[stack.length - 1] += total;
    const m = (trace.modules[packageOf(filename)] ??= { files: 0, ms: 0 });
    m.files++;
    m.ms += total - nested;
  }
};

// Every call to Temporal is an HTTP/2 request of grpc-js (bundled or not: node:http2 is shared):
// its path names the method; the stream's close is the answer's end.
const connect = http2.connect;
http2.connect = function (...args) {
  const session = connect.apply(this, args);
  const request = session.request;
  session.request = function (headers, ...rest) {
    const stream = request.call(this, headers, ...rest);
    const rpc = {
      method: String(headers?.[':path'] ?? '?')
        .split('/')
        .pop(),
      start: now(),
      end: 0,
    };
    if (!trace.rpcs.length) trace.cpu.firstRpc = cpuMs();
    trace.rpcs.push(rpc);
    stream.once('close', () => (rpc.end = now()));
    return stream;
  };
  return session;
};

process.once('exit', () => {
  trace.exitAt = now();
  trace.cpu.exit = cpuMs();
  if (out) writeFileSync(out, JSON.stringify(trace));
});
