// Every workflow the worker registers (the bundler starts here). Relative imports only.
export { sendDirective, progressQuery } from './send-directive';
export { broadcast, broadcastProgressQuery } from './broadcast';
export { paneLock, acquireSignal, releaseSignal, lockGrantedSignal, lockStateQuery } from './pane-lock';
export { fleetHealth, reportQuery } from './fleet-health';
export {
  peerJob,
  phoneHomeSignal,
  resolveUpdate,
  resolveSignal,
  completeSignal,
  statusQuery,
  jobWorkflowId,
} from './peer-job';
export { readPeer } from './read-peer';
export { agentCommand, commandProgressQuery } from './agent-command';
export { notification } from './notify';
