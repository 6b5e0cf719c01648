// Runs one SQL statement in a fresh in-memory DuckDB and prints its result as JSON lines
// on stdout (a COPY prints the number of rows it wrote). The benchmark starts one node
// process per case, so /usr/bin/time sees DuckDB's own peak memory (plus node's baseline).
//
//   node bench/duckdb_copy.mjs [--threads N] "COPY (SELECT * FROM read_json('in.ndjson')) TO 'out.csv' (FORMAT csv)"
//
// '@duckdb/node-api' is resolved from tests/e2e/node_modules (npm ci there installs it):
// ES modules ignore NODE_PATH, so the package is loaded through a require rooted there.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'e2e', 'package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const args = process.argv.slice(2);
let threads = null;
if (args[0] === '--threads') {
  threads = args[1];
  args.splice(0, 2);
}
if (args.length !== 1) {
  console.error('usage: node bench/duckdb_copy.mjs [--threads N] "SQL"');
  process.exit(2);
}

const options = threads ? { threads: String(threads) } : {};
const instance = await DuckDBInstance.create(':memory:', options);
const connection = await instance.connect();
try {
  const reader = await connection.runAndReadAll(args[0]);
  for (const row of reader.getRowObjectsJson()) console.log(JSON.stringify(row));
} catch (error) {
  console.error(`duckdb_copy: ${error.message}`);
  process.exitCode = 1;
} finally {
  connection.closeSync();
  instance.closeSync();
}
