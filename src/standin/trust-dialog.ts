/**
 * The folder-trust dialog the stand-in can start with, as Claude Code shows it: Up and Down
 * choose, Enter on "No" (the first choice) or Escape exits, Enter on "Yes" starts the session;
 * text typed or pasted into the dialog is only logged.
 */
import type { Key } from './keys';
import type { Effect } from './model-types';
import { bytesToText } from './text';

export interface TrustAnswer {
  selection: 0 | 1;
  /** The folder was trusted: the session starts. */
  trusted: boolean;
  effects: Effect[];
}

export function trustDialogKey(key: Key, selection: 0 | 1, now: number): TrustAnswer {
  const stay = (effects: Effect[], s: 0 | 1 = selection): TrustAnswer => ({ selection: s, trusted: false, effects });
  switch (key.kind) {
    case 'up':
      return stay([], 0);
    case 'down':
      return stay([], 1);
    case 'escape':
      return stay([{ kind: 'exit', code: 1 }]);
    case 'enter':
      if (selection === 0) return stay([{ kind: 'exit', code: 1 }]);
      return { selection, trusted: true, effects: [{ kind: 'session-start' }] };
    case 'text':
    case 'paste':
      return stay([{ kind: 'log', entry: { t: now, dialogInput: bytesToText(key.bytes) } }]);
    default:
      return stay([]);
  }
}
