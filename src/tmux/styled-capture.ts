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
    let text = '';
    const styles: number[] = [];
    let i = 0;
    while (i < raw.length) {
      if (raw[i] === '\x1b' && raw[i + 1] === '[') {
        let j = i + 2;
        while (j < raw.length && !/[\x40-\x7e]/.test(raw[j] ?? '')) j++;
        if (raw[j] === 'm') sgr(raw.slice(i + 2, j));
        i = j + 1;
      } else if (raw[i] === '\x1b' && raw[i + 1] === ']') {
        let j = i + 2;
        while (j < raw.length && raw[j] !== '\x07' && !(raw[j] === '\x1b' && raw[j + 1] === '\\')) j++;
        i = raw[j] === '\x07' ? j + 1 : j + 2;
      } else {
        text += raw[i];
        styles.push((dim ? DIM : 0) | (reverse ? REVERSE : 0));
        i++;
      }
    }
    const trimmed = text.replace(/[ \t]+$/, '');
    return { text: trimmed, styles: styles.slice(0, trimmed.length) };
  });
}
