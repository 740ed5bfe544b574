/**
 * An escape-coded capture (`tmux capture-pane -e -p`) read for the two attributes the screen
 * classifier needs: dim and reverse video, which tell a placeholder in the input box from typed
 * text (screen.ts).
 */

export const DIM = 1;
export const REVERSE = 2;

/** One line of an escape-coded capture: its text and, per UTF-16 unit, DIM | REVERSE bits. */
export interface StyledLine {
  text: string;
  styles: number[];
}

/** A CSI sequence's final byte (0x40–0x7e). */
function isFinalByte(c: number): boolean {
  return c >= 0x40 && c <= 0x7e;
}

/**
 * Reads an escape-coded capture (`capture-pane -e`) line by line, keeping the two attributes
 * the classifier needs (dim, reverse video). SGR state carries over line ends, as tmux writes
 * it. CSI sequences other than SGR and OSC strings are dropped; other text is kept as is.
 */
export function styledLines(capture: string): StyledLine[] {
  let dim = false;
  let reverse = false;
  const sgr = (params: string): void => {
    const list = params === '' ? ['0'] : params.split(';');
    for (let k = 0; k < list.length; k++) {
      const v = list[k];
      if (v === '0' || v === '') {
        dim = false;
        reverse = false;
      } else if (v === '2') dim = true;
      else if (v === '22') dim = false;
      else if (v === '7') reverse = true;
      else if (v === '27') reverse = false;
      else if (v === '38' || v === '48' || v === '58') k += list[k + 1] === '5' ? 2 : list[k + 1] === '2' ? 4 : 0;
    }
  };
  return capture.split(/\r?\n/).map((raw) => {
    // runs of plain text are copied as slices, with one style for the whole run
    const parts: string[] = [];
    const styles: number[] = [];
    const plain = (from: number, to: number): void => {
      if (to <= from) return;
      parts.push(raw.slice(from, to));
      const style = (dim ? DIM : 0) | (reverse ? REVERSE : 0);
      for (let k = from; k < to; k++) styles.push(style);
    };
    let start = 0;
    let i = raw.indexOf('\x1b');
    while (i >= 0) {
      const next = raw.charCodeAt(i + 1);
      if (next === 0x5b /* [ */) {
        plain(start, i);
        let j = i + 2;
        while (j < raw.length && !isFinalByte(raw.charCodeAt(j))) j++;
        if (raw[j] === 'm') sgr(raw.slice(i + 2, j));
        start = j + 1;
      } else if (next === 0x5d /* ] */) {
        plain(start, i);
        let j = i + 2;
        while (j < raw.length && raw[j] !== '\x07' && !(raw[j] === '\x1b' && raw[j + 1] === '\\')) j++;
        start = raw[j] === '\x07' ? j + 1 : j + 2;
      }
      // any other ESC is text, as before
      i = raw.indexOf('\x1b', Math.max(start, i + 1));
    }
    plain(start, raw.length);
    const trimmed = parts.join('').replace(/[ \t]+$/, '');
    return { text: trimmed, styles: styles.slice(0, trimmed.length) };
  });
}
