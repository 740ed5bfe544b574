/**
 * Makes sure the namespace knows our search attributes (the dev server gets them at start). A
 * self-hosted server takes them through the operator API; Temporal Cloud does not: there they
 * are added once with tcld or in the Cloud UI, and a worker that finds them missing says so.
 */
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../contracts/search-attributes';
import { isCloudAddress } from './ui-link';

/** Some of our search attributes are not on the namespace and could not be added from here. */
export class SearchAttributesMissing extends Error {
  override name = 'SearchAttributesMissing';
  constructor(
    message: string,
    readonly missing: string[],
    readonly hint: string,
  ) {
    super(message);
  }
}

/** What adds the missing attributes: tcld / the Cloud UI on Cloud, the temporal CLI elsewhere. */
export function searchAttributeCommands(address: string, namespace: string, names: readonly string[]): string {
  if (isCloudAddress(address)) {
    const flags = names.map((n) => `--search-attribute "${n}=Keyword"`).join(' ');
    return `on Temporal Cloud, add them once: \`tcld namespace search-attributes add --namespace ${namespace} ${flags}\` (or in the Cloud UI: Namespaces → ${namespace} → Custom Search Attributes), then start the worker again`;
  }
  const cmds = names.map(
    (n) => `\`temporal operator search-attribute create --namespace ${namespace} --name ${n} --type Keyword\``,
  );
  return `add them as an operator of the namespace: ${cmds.join('; ')}, then start the worker again`;
}

/**
 * Adds whichever of our search attributes the namespace lacks. `address` names the server in the
 * error when they cannot be added. A failed listing is thrown as it is (the caller may go on).
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string, address = ''): Promise<void> {
  const have = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = ALL_SEARCH_ATTRIBUTES.filter((a) => !(a.name in (have.customAttributes ?? {})));
  if (missing.length === 0) return;
  const names = missing.map((a) => a.name);
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((a) => [a.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
      ),
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const where = isCloudAddress(address) ? `Temporal Cloud namespace ${namespace}` : `namespace ${namespace}`;
    const todo = searchAttributeCommands(address, namespace, names);
    throw new SearchAttributesMissing(
      `search attributes ${names.map((n) => `${n} (Keyword)`).join(', ')} are missing on the ${where} and could not be added from here (${why}): ${todo}`,
      names,
      todo,
    );
  }
}

/** The warning when the namespace's search attributes could not even be listed (the worker goes on). */
export function searchAttributesUncheckedLine(err: unknown, address: string, namespace: string): string {
  const names = ALL_SEARCH_ATTRIBUTES.map((a) => a.name);
  const why = err instanceof Error ? err.message : String(err);
  return `warning: could not check the search attributes ${names.join('/')} on namespace ${namespace} (${why}); if they are missing, sends and jobs fail: ${searchAttributeCommands(address, namespace, names)}`;
}
