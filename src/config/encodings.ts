/**
 * Telling the encodings of a text file apart by its bytes (byte-order marks, the zero bytes of
 * UTF-16) and decoding UTF-16 without Node's full-ICU decoders. Used by text-file.ts (files a
 * person edits) and known-hosts-text.ts (the lenient known_hosts reader).
 */

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** How a person names an encoding: `UTF-8`, `UTF-16 LE`, `UTF-16 BE`. */
export function encodingName(e: TextEncoding): string {
  return e === 'utf-8' ? 'UTF-8' : e === 'utf-16le' ? 'UTF-16 LE' : 'UTF-16 BE';
}

/** The encoding a byte-order mark at `i` names, and its length. */
export function bomAt(bytes: Uint8Array, i: number): { encoding: TextEncoding; length: number } | undefined {
  const [a, b, c] = [bytes[i], bytes[i + 1], bytes[i + 2]];
  if (a === 0xef && b === 0xbb && c === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (a === 0xff && b === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (a === 0xfe && b === 0xff) return { encoding: 'utf-16be', length: 2 };
  return undefined;
}

/**
 * UTF-16 without a BOM, told by its zero bytes: text in a Latin script has a 0 in every other
 * byte (the high byte of each code unit), which UTF-8 text never has. Looked at in the first
 * 512 code units; 3 in 4 with the zero on the same side is a clear sign, and a NUL or two in
 * UTF-8 text (refused later, with its own message) is not.
 */
export function utf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (bytes.length < 2 || bytes.length % 2 !== 0 || bomAt(bytes, 0)) return undefined;
  const units = Math.min(bytes.length / 2, 512);
  let le = 0;
  let be = 0;
  for (let k = 0; k < units; k++) {
    const lo = bytes[2 * k] ?? 0;
    const hi = bytes[2 * k + 1] ?? 0;
    if (lo !== 0 && hi === 0) le++;
    else if (lo === 0 && hi !== 0) be++;
  }
  if (le * 4 >= units * 3) return 'utf-16le';
  if (be * 4 >= units * 3) return 'utf-16be';
  return undefined;
}

/** Whether bytes look like UTF-16 LE text by their zero bytes (length need not be even: a cut-off tail). */
export function utf16Like(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false; // a NUL or two near the end is not a UTF-16 tail
  return utf16WithoutBom(bytes.subarray(0, bytes.length - (bytes.length % 2))) === 'utf-16le';
}

/** The UTF-16 encoding of these bytes, by BOM or by their zero bytes; undefined for anything else. */
export function utf16Signature(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const bom = bomAt(bytes, 0)?.encoding;
  if (bom === 'utf-16le' || bom === 'utf-16be') return bom;
  return utf16WithoutBom(bytes);
}

/** UTF-16 code units to a string; `fatal` refuses a lone surrogate (undefined) instead of U+FFFD. */
export function decodeUtf16(bytes: Uint8Array, encoding: 'utf-16le' | 'utf-16be', fatal: boolean): string | undefined {
  let le = bytes;
  if (encoding === 'utf-16be') {
    // Swapped by hand: 'utf-16be' in TextDecoder needs a Node built with full ICU.
    le = new Uint8Array(bytes.length);
    for (let i = 0; i + 1 < bytes.length; i += 2) {
      le[i] = bytes[i + 1] ?? 0;
      le[i + 1] = bytes[i] ?? 0;
    }
  }
  try {
    return new TextDecoder('utf-16le', { fatal, ignoreBOM: true }).decode(le);
  } catch {
    return undefined;
  }
}
