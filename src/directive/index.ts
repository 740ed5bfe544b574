export { checkDirective, formatProblem, formatReport, slugify } from './check';
export type { DirectiveProblem, DirectiveReport, ProblemPart } from './check';
export { parseBudget, parseTokenCap, parseWallClock } from './budget';
export type { Budget } from './budget';
export { parseDirective, splitFrontMatter } from './parse';
export type { ParsedDirective, ParsedPart } from './parse';
export { PART_HINTS, PART_LABELS, PART_NAMES } from './parts';
export type { PartName } from './parts';
