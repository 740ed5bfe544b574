/**
 * A failure's cause chain (workflow failure → child → activity → application failure), outermost
 * first. Every reader of a chain walks it through here: workflow code (which type and message
 * to report, a pickup timeout, an agent's failed turn) and the client (what to print).
 */
export function causeChain(err: unknown, limit = 10): Error[] {
  const chain: Error[] = [];
  for (let e: unknown = err; e instanceof Error && chain.length < limit; e = e.cause) chain.push(e);
  return chain;
}
