/**
 * Screen patterns: the data the classifier reads (patterns/claude-code.json), its zod schema,
 * compilation into RegExps, and merging with an override from a config file.
 */
import { z } from 'zod';
import rawDefaultPatterns from './patterns/claude-code.json';

function isRegexSource(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}

const regexSource = z
  .string()
  .min(1)
  .refine(isRegexSource, { message: 'not a valid regular expression (JavaScript syntax, u flag)' });

const patternEntryObjectSchema = z.strictObject({
  pattern: regexSource,
  fixture: z.string().min(1).optional(),
  note: z.string().optional(),
});

/**
 * One regular expression, with the fixture that shows it and an optional note. A config file
 * may write a bare string for `{ pattern }`.
 */
export const patternEntrySchema = z.union([
  regexSource.transform((pattern): z.output<typeof patternEntryObjectSchema> => ({ pattern })),
  patternEntryObjectSchema,
]);

/**
 * A pattern that, when it matches, puts the screen in state `<group>:<kind>`. A kind may use
 * `_` so that it can carry the agent's own error name (`error:rate_limit`).
 */
export const kindPatternEntrySchema = patternEntryObjectSchema.extend({
  kind: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'kind: lower-case letters, digits, - and _'),
});

export const screenPatternsSchema = z.strictObject({
  $comment: z.string().optional(),
  /** Which TUI version these patterns were written for. */
  version: z.string().optional(),
  /** Folder (from the repository root) holding the fixtures named by the entries. */
  fixtureDir: z.string().optional(),
  /** A rule line above and below the input box. */
  ruleLine: patternEntrySchema,
  /** The first line inside the box; what follows the match is the input text. */
  inputPrompt: patternEntrySchema,
  /** Removed from the start of the following lines of a multi-line input. */
  inputContinuation: patternEntrySchema,
  /** A sent message echoed in the history; the last one starts the latest turn. */
  promptEcho: patternEntrySchema,
  /** A finished-turn line. */
  turnDone: patternEntrySchema,
  /** How many lines below the lower rule may belong to the footer. */
  footerMaxLines: z.number().int().min(1).max(20),
  /**
   * Texts shown in an empty input box (each must match the whole input). Used for plain
   * captures only: in an escape-coded one a placeholder is told by its dim styling.
   */
  placeholders: z.array(patternEntrySchema),
  /** Footer markers of a turn in progress. */
  working: z.array(patternEntrySchema),
  /**
   * The spinner line of a turn in progress (the latest turn's last unindented line); marks a
   * working screen when the footer drops `esc to interrupt` (text in the box).
   */
  spinner: z.array(patternEntrySchema).default([]),
  /** Latest-turn markers of a message queued while the agent works. */
  queued: z.array(patternEntrySchema),
  /** Latest-turn markers of an error → `error:<kind>`; the first entry that matches wins. */
  errors: z.array(kindPatternEntrySchema),
  /** Markers of a dialog that replaced the input box → `dialog:<kind>`; first match wins. */
  dialogs: z.array(kindPatternEntrySchema),
});

/** Patterns as data, validated (bare-string entries turned into `{ pattern }`). */
export type RawScreenPatterns = z.output<typeof screenPatternsSchema>;
export type PatternEntry = z.output<typeof patternEntryObjectSchema>;
export type KindPatternEntry = z.output<typeof kindPatternEntrySchema>;

/** What a config file may give: any subset of the fields. */
export const screenPatternsOverrideSchema = screenPatternsSchema.partial();
/** An override as written (entries may be bare strings). */
export type ScreenPatternsOverride = z.input<typeof screenPatternsOverrideSchema>;

export interface KindPattern {
  kind: string;
  re: RegExp;
}

/** Patterns compiled for the classifier. */
export interface ScreenPatterns {
  /** The data these were compiled from (to merge an override into). */
  raw: RawScreenPatterns;
  ruleLine: RegExp;
  inputPrompt: RegExp;
  inputContinuation: RegExp;
  promptEcho: RegExp;
  turnDone: RegExp;
  footerMaxLines: number;
  /** Anchored: each matches a whole input text. */
  placeholders: RegExp[];
  working: RegExp[];
  spinner: RegExp[];
  queued: RegExp[];
  errors: KindPattern[];
  dialogs: KindPattern[];
}

const compile = (e: PatternEntry): RegExp => new RegExp(e.pattern, 'u');
const compileKind = (e: KindPatternEntry): KindPattern => ({ kind: e.kind, re: compile(e) });

/** Validates raw patterns (throws a ZodError naming the bad field) and compiles them. */
export function compilePatterns(raw: z.input<typeof screenPatternsSchema>): ScreenPatterns {
  const p = screenPatternsSchema.parse(raw);
  return {
    raw: p,
    ruleLine: compile(p.ruleLine),
    inputPrompt: compile(p.inputPrompt),
    inputContinuation: compile(p.inputContinuation),
    promptEcho: compile(p.promptEcho),
    turnDone: compile(p.turnDone),
    footerMaxLines: p.footerMaxLines,
    placeholders: p.placeholders.map((e) => new RegExp(`^(?:${e.pattern})$`, 'u')),
    working: p.working.map(compile),
    spinner: p.spinner.map(compile),
    queued: p.queued.map(compile),
    errors: p.errors.map(compileKind),
    dialogs: p.dialogs.map(compileKind),
  };
}

/**
 * Applies an override: its arrays go before the defaults (so its entries are tried first and
 * win), its scalar fields replace the defaults. The override is validated (throws a ZodError).
 */
export function mergePatterns(base: RawScreenPatterns, overrideInput: ScreenPatternsOverride): RawScreenPatterns {
  const override = screenPatternsOverrideSchema.parse(overrideInput);
  return {
    $comment: override.$comment ?? base.$comment,
    version: override.version ?? base.version,
    fixtureDir: override.fixtureDir ?? base.fixtureDir,
    ruleLine: override.ruleLine ?? base.ruleLine,
    inputPrompt: override.inputPrompt ?? base.inputPrompt,
    inputContinuation: override.inputContinuation ?? base.inputContinuation,
    promptEcho: override.promptEcho ?? base.promptEcho,
    turnDone: override.turnDone ?? base.turnDone,
    footerMaxLines: override.footerMaxLines ?? base.footerMaxLines,
    placeholders: [...(override.placeholders ?? []), ...base.placeholders],
    working: [...(override.working ?? []), ...base.working],
    spinner: [...(override.spinner ?? []), ...base.spinner],
    queued: [...(override.queued ?? []), ...base.queued],
    errors: [...(override.errors ?? []), ...base.errors],
    dialogs: [...(override.dialogs ?? []), ...base.dialogs],
  };
}

/** The shipped patterns for Claude Code, as JSON data (validated at load). */
export const defaultRawPatterns: RawScreenPatterns = screenPatternsSchema.parse(rawDefaultPatterns);

/** The shipped patterns, compiled. */
export const defaultPatterns: ScreenPatterns = compilePatterns(defaultRawPatterns);

/** Defaults merged with an override read from a config file (validated; throws a ZodError). */
export function patternsWithOverride(override: unknown): ScreenPatterns {
  return compilePatterns(mergePatterns(defaultRawPatterns, screenPatternsOverrideSchema.parse(override)));
}
