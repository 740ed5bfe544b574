/** The tmux layer: argv builders for the tmux commands peer-comms runs, and the screen classifier. */
export * from './commands'; // includes target.ts (parseTarget, name checks)
export * from './screen'; // includes patterns.ts (schema, compile, merge, defaults)
