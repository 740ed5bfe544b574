/**
 * The stand-in's part in the phone-home convention: a submitted prompt holding the line
 * `stand-in: phone home <topic>` makes it stop and write inbox/<host>/PHONE-HOME-<topic>.md,
 * and `stand-in: done <job id>` writes the DONE-<job id>.md marker — what a real peer agent does
 * when its directive says so.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/;

export interface InboxWrite {
  file: string;
  body: string;
}

/** The files a prompt asks for (pure; the caller writes them). */
export function inboxWrites(prompt: string, now: Date): InboxWrite[] {
  const writes: InboxWrite[] = [];
  for (const line of prompt.split(/\r?\n|\r/)) {
    const phone = /^\s*stand-in: phone home (\S+)\s*$/.exec(line);
    if (phone?.[1] && NAME.test(phone[1])) {
      const topic = phone[1];
      writes.push({
        file: `PHONE-HOME-${topic}.md`,
        body: [
          `# Phone home: ${topic}`,
          '',
          `Written by the stand-in agent at ${now.toISOString()}.`,
          '',
          '## What happened',
          '',
          `A pre-registered trigger tripped while working on "${topic}": the peer stopped on purpose.`,
          '',
          '## Recommendation',
          '',
          `Re-run ${topic} with the fix described here (option b); the analysis so far stands.`,
          '',
        ].join('\n'),
      });
    }
    const done = /^\s*stand-in: done (\S+)\s*$/.exec(line);
    if (done?.[1] && NAME.test(done[1])) {
      writes.push({ file: `DONE-${done[1]}.md`, body: `# Done\n\nFinished at ${now.toISOString()}.\n` });
    }
  }
  return writes;
}

export function writeInboxFiles(dir: string, prompt: string): void {
  const writes = inboxWrites(prompt, new Date());
  if (writes.length === 0) return;
  mkdirSync(dir, { recursive: true });
  for (const w of writes) writeFileSync(join(dir, w.file), w.body);
}
