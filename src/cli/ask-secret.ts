/**
 * Asking for a secret on the terminal without echoing it: raw mode, one key at a time. Node has
 * no built-in for this; readline echoes. Works on a Windows console too (setRawMode).
 */
import { UsageError } from './exit';

export interface SecretTerminal {
  input: NodeJS.ReadableStream & { setRawMode(mode: boolean): unknown; isRaw?: boolean };
  output: NodeJS.WritableStream;
}

/** This process's terminal, or undefined when stdin or stderr is not one (a service, a pipe, CI). */
export function processTerminal(): SecretTerminal | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return { input: process.stdin, output: process.stderr };
}

/** Writes the question, reads one line with no echo; Ctrl-C or Ctrl-D on an empty line cancels. */
export function askSecret(question: string, term: SecretTerminal): Promise<string> {
  const { input, output } = term;
  return new Promise<string>((resolve, reject) => {
    const wasRaw = input.isRaw ?? false;
    let typed = '';
    const finish = (err?: Error): void => {
      input.removeListener('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string): void => {
      const text = chunk.toString();
      for (let i = 0; i < text.length; i++) {
        const ch = text.charAt(i);
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || (ch === '\u0004' && typed === '')) {
          return finish(new UsageError('cancelled at the passphrase prompt; nothing was started'));
        }
        if (ch === '\u007f' || ch === '\b') {
          typed = Array.from(typed).slice(0, -1).join('');
        } else if (ch === '\u001b') {
          return; // an arrow or function key: its escape sequence is the rest of this chunk
        } else if (ch >= ' ') {
          typed += ch;
        }
      }
    };
    output.write(question);
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
  });
}
