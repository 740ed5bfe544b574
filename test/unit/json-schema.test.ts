/**
 * schema/peers.schema.json: the committed file is what `npm run schema` writes from the zod
 * schema (run it after changing src/config/*schema*.ts), peers.example.yaml points editors at it
 * and validates against it, and a file with a misspelt key does not.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { SCHEMA_FILE, peersJsonSchemaText } from '../../scripts/gen-schema';

const ROOT = join(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'peers.example.yaml');

function validator(): (doc: unknown) => string[] {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

describe('the JSON Schema of peers.yaml', () => {
  it('the committed schema/peers.schema.json is what npm run schema generates', async () => {
    assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), await peersJsonSchemaText(), 'out of date: run `npm run schema`');
  });

  it('peers.example.yaml names it on its first line and validates against it', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    assert.equal(text.split('\n')[0], '# yaml-language-server: $schema=./schema/peers.schema.json');
    assert.deepEqual(validator()(parse(text)), []);
  });

  it('a misspelt key, a bad enum value and a missing peers section are reported', () => {
    const validate = validator();
    assert.match(validate({ peers: { a: { via: 'local', tmuxx: {} } } }).join('\n'), /additional properties/);
    assert.match(validate({ peers: { a: { via: 'carrier-pigeon' } } }).join('\n'), /\/peers\/a\/via/);
    assert.match(validate({ controller: {} }).join('\n'), /required property 'peers'/);
  });
});
