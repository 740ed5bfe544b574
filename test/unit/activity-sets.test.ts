/**
 * Activity sets per queue: the peer worker registers the peer activities only, and a workflow's
 * `onPeer` stubs cannot name a controller activity (a type error; `npm run typecheck` covers
 * test/, so the `@ts-expect-error` lines below fail the build if the error goes away).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createActivities,
  createControllerActivities,
  createPeerActivities,
  type ControllerDeps,
  type PeerActivities,
} from '../../src/activities';
import { configSchema } from '../../src/config/schema';
import { LocalShell } from '../../src/peer-access/local-shell';
import { peerDeps } from '../../src/workers/peer';
import type { onPeer } from '../../src/workflows/routing';

const config = configSchema.parse({ peers: { box: { via: 'worker' } } });
const unused = () => Promise.reject(new Error('unused'));
const controllerDeps: ControllerDeps = {
  config,
  shells: { get: unused },
  now: () => 0,
  sleep: async () => undefined,
  readControllerFile: unused,
  appendAudit: unused,
  requestPaneLock: unused,
  releasePaneLock: unused,
  queuePollers: unused,
  runGit: unused,
};

void describe('activity sets per queue', () => {
  test('the peer worker’s set has no controller activity; the controller registers both', () => {
    const peer = Object.keys(createPeerActivities(peerDeps(config, 'box', new LocalShell('box')))).sort();
    const controllerOnly = Object.keys(createControllerActivities(controllerDeps)).sort();
    assert.deepEqual(controllerOnly, [
      'audit',
      'gitSync',
      'listPeers',
      'lockHolders',
      'notify',
      'notifyTargets',
      'queuePollers',
      'refreshCredentials',
      'releasePaneLock',
      'requestPaneLock',
      'routePeer',
    ]);
    assert.deepEqual(
      peer.filter((name) => controllerOnly.includes(name)),
      [],
    );
    for (const name of ['preflight', 'deliver', 'submit', 'awaitAck', 'recoverSession', 'scanInbox', 'readTurn']) {
      assert.ok(peer.includes(name), `${name} is a peer activity`);
    }
    assert.deepEqual(Object.keys(createActivities(controllerDeps)).sort(), [...peer, ...controllerOnly].sort());
  });

  test('routing a controller activity to a peer does not compile', () => {
    type Routed = ReturnType<typeof onPeer>;
    const peerSide: (keyof Routed)[] = ['deliver', 'awaitAck', 'preflight'];
    // @ts-expect-error refreshCredentials reads the controller's credentials: not reachable through onPeer
    const credentials: keyof Routed = 'refreshCredentials';
    // @ts-expect-error gitSync runs git on the controller: not reachable through onPeer
    const sync: keyof Routed = 'gitSync';
    // @ts-expect-error the peer set has no audit (the audit log is on the controller)
    const audit: keyof PeerActivities = 'audit';
    assert.equal(peerSide.length + [credentials, sync, audit].length, 6);
  });
});
