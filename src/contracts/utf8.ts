/**
 * UTF-8 at the byte level, for the input gate and the text-file reader: strict validation with
 * a readable reason, line and column of a byte offset, and a decoder for bytes already
 * validated. Pure: no Node builtins, no Buffer, no TextDecoder (workflow code imports the gate).
 */

/** `n` in upper-case hex, padded to `width` digits. */
export function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}

/** How many bytes of UTF-8 a code point (or a lone UTF-16 unit, counted as 3) takes. */
export function utf8Len(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** The first invalid UTF-8 sequence (WHATWG/Unicode strict rules), or undefined. */
export function firstInvalidUtf8(bytes: Uint8Array): { offset: number; reason: string } | undefined {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else {
      const reason =
        b <= 0xbf
          ? `byte 0x${hex(b, 2)} is a continuation byte with no lead byte before it`
          : b <= 0xc1
            ? `byte 0x${hex(b, 2)} would start an overlong encoding`
            : `byte 0x${hex(b, 2)} never occurs in UTF-8`;
      return { offset: i, reason };
    }
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) {
        return { offset: i, reason: `the sequence starting with byte 0x${hex(b, 2)} is cut off at the end` };
      }
      const c = bytes[i + k] ?? 0;
      const [l, h] = k === 1 ? [lo, hi] : [0x80, 0xbf];
      if (c < l || c > h) {
        const why =
          k === 1 && c >= 0x80 && c <= 0xbf
            ? b === 0xed
              ? 'it encodes a UTF-16 surrogate'
              : b === 0xf4
                ? 'it encodes a code point above U+10FFFF'
                : 'it is an overlong encoding'
            : `byte 0x${hex(c, 2)} at ${i + k} does not continue it`;
        return { offset: i, reason: `the sequence starting with byte 0x${hex(b, 2)} is invalid: ${why}` };
      }
    }
    i += need + 1;
  }
  return undefined;
}

/** 1-based line and column (in characters) of a byte offset; CRLF and lone CR count as one line break. */
export function lineColumn(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset; i++) {
    const b = bytes[i] ?? 0;
    if (b === 0x0a || (b === 0x0d && bytes[i + 1] !== 0x0a)) {
      line++;
      column = 1;
    } else if (b !== 0x0d && (b & 0xc0) !== 0x80) {
      column++;
    }
  }
  return { line, column };
}

/** Decodes bytes already known to be valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string {
  const parts: string[] = [];
  let units: number[] = [];
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] ?? 0;
    let cp: number;
    if (b < 0x80) {
      cp = b;
      i += 1;
    } else if (b < 0xe0) {
      cp = ((b & 0x1f) << 6) | ((bytes[i + 1] ?? 0) & 0x3f);
      i += 2;
    } else if (b < 0xf0) {
      cp = ((b & 0x0f) << 12) | (((bytes[i + 1] ?? 0) & 0x3f) << 6) | ((bytes[i + 2] ?? 0) & 0x3f);
      i += 3;
    } else {
      cp =
        ((b & 0x07) << 18) |
        (((bytes[i + 1] ?? 0) & 0x3f) << 12) |
        (((bytes[i + 2] ?? 0) & 0x3f) << 6) |
        ((bytes[i + 3] ?? 0) & 0x3f);
      i += 4;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else {
      units.push(cp);
    }
    if (units.length >= 8192) {
      parts.push(String.fromCharCode(...units));
      units = [];
    }
  }
  parts.push(String.fromCharCode(...units));
  return parts.join('');
}
