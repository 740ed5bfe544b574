/**
 * `npm run schema`: writes schema/peers.schema.json, the JSON Schema of peers.yaml, from the zod
 * schema in src/config/schema.ts (zod 4's z.toJSONSchema; the input side, so a duration may be
 * "30m" or a number of ms, and defaults are optional). Editors use it for completion and checks
 * through the `# yaml-language-server: $schema=…` line at the top of peers.example.yaml.
 * test/unit/json-schema.test.ts fails when the committed file is not what this writes.
 * `--check`: writes nothing, exits 1 if the committed file is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { z } from 'zod';
import { configSchema } from '../src/config/schema';

export const SCHEMA_FILE = join(__dirname, '..', 'schema', 'peers.schema.json');

/** The schema's text as committed: draft 2020-12, formatted by prettier (the repository's style). */
export async function peersJsonSchemaText(): Promise<string> {
  const schema = z.toJSONSchema(configSchema, {
    io: 'input',
    // a refine or a transform's output has no JSON Schema form: the input's shape is checked, the rest by peer-comms
    unrepresentable: 'any',
  });
  const doc = {
    $schema: schema.$schema,
    title: 'peer-comms peers file (peers.yaml)',
    description:
      'Generated from src/config/schema.ts by `npm run schema`; `peer-comms peers` validates a file fully (refinements included).',
    ...schema,
  };
  const options = (await resolveConfig(SCHEMA_FILE)) ?? {};
  return format(JSON.stringify(doc), { ...options, filepath: SCHEMA_FILE });
}

async function main(): Promise<void> {
  const text = await peersJsonSchemaText();
  if (process.argv.includes('--check')) {
    const current = readFileSync(SCHEMA_FILE, 'utf8');
    if (current !== text) {
      process.stderr.write(`${SCHEMA_FILE} is out of date: run npm run schema\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(SCHEMA_FILE, text);
    process.stdout.write(`wrote ${SCHEMA_FILE} (${text.length} bytes)\n`);
  }
}

if (require.main === module) void main();
