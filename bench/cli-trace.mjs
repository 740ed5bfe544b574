// Preloaded into a `peer-comms` CLI process by bench/cli-overhead.ts (`node --import <this>`):
// records, without changing the CLI, where its time goes. Written as JSON to
// $PEER_COMMS_TRACE_FILE when the process exits:
// - loadStart: when this preload ran (epoch ms; node's own start is before it);
// - modules: per package, the files loaded and the time spent loading them (self time: a file's
//   nested loads are counted to their own package);
// - rpcs: each gRPC call to Temporal (method, start, end, epoch ms);
// - marks: the CLI's performance marks (`peer-comms:…`, epoch ms);
// - exitAt: when the process began to exit.
import { writeFileSync } from 'node:fs';
import Module from 'node:module';
import { performance } from 'node:perf_hooks';

const now = () => performance.timeOrigin + performance.now();
const trace = { loadStart: now(), nodeStart: performance.timeOrigin, modules: {}, rpcs: [], marks: [], exitAt: 0 };
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
    if (filename.endsWith('@grpc/grpc-js/build/src/client.js')) countRpcs(this.exports.Client);
  }
};

/** Wraps grpc-js' unary calls (every Temporal client call is one) to time each round trip. */
function countRpcs(Client) {
  const unary = Client.prototype.makeUnaryRequest;
  Client.prototype.makeUnaryRequest = function (method, ...rest) {
    const rpc = { method: method.split('/').pop(), start: now(), end: 0 };
    trace.rpcs.push(rpc);
    const i = rest.findLastIndex((a) => typeof a === 'function'); // the callback comes last
    if (i >= 0) {
      const callback = rest[i];
      rest[i] = (...a) => {
        rpc.end = now();
        return callback(...a);
      };
    }
    return unary.call(this, method, ...rest);
  };
}

process.once('exit', () => {
  trace.exitAt = now();
  trace.marks = performance
    .getEntriesByType('mark')
    .filter((m) => m.name.startsWith('peer-comms:'))
    .map((m) => ({ name: m.name.slice('peer-comms:'.length), at: performance.timeOrigin + m.startTime }));
  if (out) writeFileSync(out, JSON.stringify(trace));
});
