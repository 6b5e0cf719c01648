// file_format parquet with the edge-case set (nulls everywhere, empty and very long
// strings, unicode, int64 and int32 extremes, dates before 1970, microsecond timestamps,
// decimals of 5, 15, 20 and 38 digits, binary), in every codec, with use_binary_strings off
// and on: every value read back by DuckDB and by hyparquet (parquet_readers.mjs), each row
// in the file of its day and account; the types in DuckDB's DESCRIBE, and the footer's
// physical type, annotation and repetition as hyparquet parses them; every column chunk's
// min/max/null count equal to what DuckDB computes from the rows (also with the whole set
// in one file); created_by names s3dest; the codec is the one configured.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import {
  EDGE_ACCOUNTS,
  EDGE_BOOLS,
  EDGE_DATES,
  EDGE_FIRST_COLUMNS,
  EDGE_INT32S,
  EDGE_NESTED,
  edgeJson,
  edgeLayout,
  edgeRow,
  edgeWant,
  filePaths,
  inWorkFolder,
  jsonLine,
  loadLake,
  sqlList,
  suiteSetup,
  writeJson,
} from './lib.mjs';
import {
  CODECS,
  assertCodec,
  assertCreatedBy,
  assertFooterShapes,
  assertStatistics,
  dayText,
  duckTypes,
  hyparquetRead,
} from './parquet_readers.mjs';

const EDGE_SCHEMA = {
  columns: [
    ...EDGE_FIRST_COLUMNS,
    { name: 'dec15', type: 'decimal(15,3)' },
    { name: 'dec20', type: 'decimal(20,4)' }, // 9 bytes: a width no integer type has
    { name: 'dec5', type: 'decimal(5,2)', nullable: false },
    { name: 'bin', type: 'binary' },
    { name: 'extra', type: 'string' },
    { name: 'void', type: 'int32' }, // null in every row: column chunks with no value at all
  ],
};
const EDGE_NAMES = EDGE_SCHEMA.columns.map((c) => c.name);

// What DuckDB's DESCRIBE says, and the footer as hyparquet parses it.
const edgeDuckTypes = (binaryStrings) => {
  const text = binaryStrings ? 'BLOB' : 'VARCHAR';
  return {
    id: 'BIGINT', date: 'DATE', account: text, s: text, i64: 'BIGINT', i32: 'INTEGER', d: 'DOUBLE', b: 'BOOLEAN',
    ts: 'TIMESTAMP WITH TIME ZONE', dec: 'DECIMAL(38,10)', dec15: 'DECIMAL(15,3)', dec20: 'DECIMAL(20,4)',
    dec5: 'DECIMAL(5,2)', bin: 'BLOB',
    extra: text, void: 'INTEGER',
  };
};
const edgeShapes = (binaryStrings) => {
  const text = binaryStrings ? 'BYTE_ARRAY' : 'BYTE_ARRAY STRING';
  return {
    id: 'REQUIRED INT64', date: 'REQUIRED INT32 DATE', account: `REQUIRED ${text}`, s: `OPTIONAL ${text}`,
    i64: 'OPTIONAL INT64', i32: 'OPTIONAL INT32', d: 'OPTIONAL DOUBLE', b: 'OPTIONAL BOOLEAN',
    ts: 'OPTIONAL INT64 TIMESTAMP(UTC, MICROS)', dec: 'OPTIONAL FIXED_LEN_BYTE_ARRAY DECIMAL(38,10)',
    dec15: 'OPTIONAL INT64 DECIMAL(15,3)', dec20: 'OPTIONAL FIXED_LEN_BYTE_ARRAY DECIMAL(20,4)',
    dec5: 'REQUIRED INT32 DECIMAL(5,2)', bin: 'OPTIONAL BYTE_ARRAY',
    extra: `OPTIONAL ${text}`, void: 'OPTIONAL INT32',
  };
};

const STRINGS = [
  '',
  null,
  'plain',
  'comma, inside',
  'quote " inside',
  '"',
  'line\nfeed',
  'crlf\r\ninside',
  '  leading and trailing spaces  ',
  'NULL',
  '\\N',
  'back\\slash',
  'unicode: Zürich, 東京, Ελληνικά, עברית, 🚀👩‍👩‍👧',
  'e\u0301 combining accent',
  '\uFEFFbyte order mark at the start',
  'line\u2028separator',
  'control \u0001 and \u001f characters',
  'nul \u0000 inside',
  '\uFFFF last BMP code point, \u{10FFFF} last code point',
  'long, "value";\n'.repeat(5000), // 80 KB
  'ü'.repeat(300_000), // 600 KB: more than a typical page
  'a'.repeat(64) + 'z', // longer than a truncated statistic would keep
  'a'.repeat(64) + 'b',
];
const INT64S = [
  '-9223372036854775808',
  '9223372036854775807',
  '0',
  '-1',
  null,
  '4611686018427387904',
  '-4611686018427387905',
  '9007199254740993',
];
const DOUBLES = [
  0.1,
  0.1 + 0.2,
  1 / 3,
  1.0000000000000002,
  5e-324,
  2.2250738585072014e-308,
  1.7976931348623157e308,
  -1.7976931348623157e308,
  -0,
  0,
  1e21,
  -1.5e-10,
  null,
  9007199254740993,
];
const DATES = [...EDGE_DATES, '0001-01-01'];
const TIMESTAMPS = [
  '2026-03-29T01:30:00.000001Z',
  '1969-12-31T23:59:59.999999Z',
  '1900-01-01T00:00:00Z',
  '1970-01-01T00:00:00Z',
  '2000-02-29T12:34:56.5Z',
  '9999-12-31T23:59:59.999999Z',
  '0001-01-01T00:00:00Z',
  null,
  '2038-01-19T03:14:08.1Z',
];
// Decimals: [the JSON text written, the exact value read back].
const NINES = '9999999999999999999999999999.9999999999'; // 38 digits
const DECIMALS_38 = [
  ['"1234567890123456789012345678.1234567890"', '1234567890123456789012345678.1234567890'],
  [NINES, NINES],
  [`"-${NINES}"`, `-${NINES}`],
  ['0.0000000001', '0.0000000001'],
  ['"-0.0000000001"', '-0.0000000001'],
  ['"-0.5"', '-0.5000000000'],
  ['42', '42.0000000000'],
  ['1.5e3', '1500.0000000000'],
  ['"0"', '0.0000000000'],
  ['null', null],
  ['"-9223372036854775808"', '-9223372036854775808.0000000000'],
];
const DECIMALS_15 = [
  ['"999999999999.999"', '999999999999.999'],
  ['-999999999999.999', '-999999999999.999'],
  ['0.001', '0.001'],
  ['"-0.5"', '-0.500'],
  ['null', null],
  ['"9223372036.854"', '9223372036.854'],
  ['0', '0.000'],
];
const DECIMALS_20 = [
  ['"9999999999999999.9999"', '9999999999999999.9999'],
  ['"-9999999999999999.9999"', '-9999999999999999.9999'],
  ['"922337203685477.5808"', '922337203685477.5808'], // unscaled 2^63: past int64
  ['"-922337203685477.5809"', '-922337203685477.5809'],
  ['-0.0001', '-0.0001'], // unscaled -1: all bits set
  ['null', null],
  ['0', '0.0000'],
];
const DECIMALS_5 = [
  ['999.99', '999.99'],
  ['"-999.99"', '-999.99'],
  ['0', '0.00'],
  ['-0.01', '-0.01'],
  ['1.5', '1.50'],
];
const BINARIES = ['AAECAwT/', '', '/+8=', 'aGVsbG8gd29ybGQ=', null, '8J+agA==', 'XA=='];
BINARIES.push(Buffer.alloc(70_000, 0xa5).toString('base64')); // 70 KB

// Each row: the NDJSON line, and the values both readers must give back, as text
// (int64 and decimals exact, timestamps as microseconds since 1970, binary as base64).
const VALUES = {
  date: DATES,
  account: EDGE_ACCOUNTS,
  s: STRINGS,
  i64: INT64S,
  i32: EDGE_INT32S,
  d: DOUBLES,
  b: EDGE_BOOLS,
  ts: TIMESTAMPS,
  dec: DECIMALS_38,
  dec15: DECIMALS_15,
  dec20: DECIMALS_20,
  dec5: DECIMALS_5,
  bin: BINARIES,
  extra: EDGE_NESTED,
};
const EDGE_ROWS = [];
for (let i = 0; i < 2 * STRINGS.length; i++) {
  const row = edgeRow(VALUES, i);
  const json = {
    ...edgeJson(row),
    dec: row.dec[0],
    dec15: row.dec15[0],
    dec20: row.dec20[0],
    dec5: row.dec5[0],
    void: 'null',
  };
  // Every 7th row leaves its optional columns out: a missing key is null.
  const keys = i % 7 === 6 ? ['id', 'date', 'account', 'dec5'] : EDGE_NAMES;
  const opt = (k, v) => (keys.includes(k) ? v : null);
  EDGE_ROWS.push({
    line: jsonLine(json, keys),
    want: {
      ...edgeWant(row, keys),
      dec: opt('dec', row.dec[1]),
      dec15: opt('dec15', row.dec15[1]),
      dec20: opt('dec20', row.dec20[1]),
      dec5: row.dec5[1],
      bin: opt('bin', row.bin === null ? null : Buffer.from(row.bin, 'base64').toString('base64')),
      void: null,
    },
  });
}

// DuckDB's rows in the form of EDGE_ROWS' `want`. Text travels as hex: the node client's
// UTF-8 decoding drops a leading U+FEFF; hex() gives the bytes of a VARCHAR and of a BLOB alike.
async function duckEdgeRows(paths) {
  const rows = await suite.db.values(
    `SELECT id::VARCHAR AS id, date::VARCHAR AS date, hex(account) AS account, hex(s) AS s, i64::VARCHAR AS i64, ` +
      `i32::VARCHAR AS i32, d, b::VARCHAR AS b, epoch_us(ts)::VARCHAR AS ts, dec::VARCHAR AS dec, ` +
      `dec15::VARCHAR AS dec15, dec20::VARCHAR AS dec20, dec5::VARCHAR AS dec5, hex(bin) AS bin, hex(extra) AS extra, void::VARCHAR AS void, ` +
      `filename FROM read_parquet(${sqlList(paths)}, filename=true)`,
  );
  return rows.map((r) => {
    for (const c of ['account', 's', 'extra']) if (r[c] !== null) r[c] = Buffer.from(r[c], 'hex').toString('utf8');
    if (r.bin !== null) r.bin = Buffer.from(r.bin, 'hex').toString('base64');
    return r;
  });
}

// hyparquet's rows in the same form; text columns must come back as strings (STRING
// annotation) or, under use_binary_strings, as bytes (none).
async function hyparquetEdgeRows(paths, binaryStrings) {
  const out = [];
  const wrongKind = [];
  for (const p of paths) {
    const { metadata, rows } = await hyparquetRead(p);
    assertFooterShapes(p, metadata, edgeShapes(binaryStrings));
    for (const r of rows) {
      for (const c of ['account', 's', 'extra']) {
        if (r[c] == null) continue;
        const isBytes = r[c] instanceof Uint8Array;
        if (isBytes !== binaryStrings) wrongKind.push(`${p} ${c}: ${isBytes ? 'bytes' : 'a string'}`);
        if (isBytes) r[c] = Buffer.from(r[c]).toString('utf8');
      }
      out.push({
        ...r,
        id: String(r.id),
        date: dayText(r.date),
        i64: r.i64 == null ? null : String(r.i64),
        i32: r.i32 == null ? null : String(r.i32),
        b: r.b == null ? null : String(r.b),
        ts: r.ts == null ? null : String(r.ts),
        bin: r.bin == null ? null : Buffer.from(r.bin).toString('base64'),
        void: r.void ?? null,
        filename: p,
      });
    }
  }
  assert.deepEqual(wrongKind.slice(0, 5), [], 'hyparquet: string columns are text exactly when annotated STRING');
  return out;
}

// Every value of every row, and (unless `partitioned` is false) each row in the file its
// day and account name.
function assertEdgeRows(reader, rows, dest, { partitioned = true } = {}) {
  assert.equal(rows.length, EDGE_ROWS.length, `${reader}: row count`);
  const byId = new Map(rows.map((r) => [r.id, r]));
  assert.equal(byId.size, EDGE_ROWS.length, `${reader}: every id once`);
  const wrong = [];
  const show = (v) =>
    typeof v === 'string' && v.length > 60 ? JSON.stringify(v.slice(0, 60)) + `... (${v.length} chars)` : JSON.stringify(v);
  for (const { want } of EDGE_ROWS) {
    const got = byId.get(want.id);
    for (const [column, value] of Object.entries(want)) {
      const same = column === 'd' ? Object.is(got[column], value) : got[column] === value;
      if (!same) wrong.push(`row ${want.id} column ${column}: got ${show(got[column])}, want ${show(value)}`);
    }
    if (!partitioned) continue;
    const [account, yyyy, mm, dd, file] = path.relative(dest, got.filename).split(path.sep);
    if (account !== want.account || `${yyyy}-${mm}-${dd}` !== want.date || file !== `edge-${want.date}-00001.parquet`)
      wrong.push(`row ${want.id} (${want.date}, ${want.account}) is in ${got.filename}`);
  }
  assert.deepEqual(wrong.slice(0, 30), [], `${reader}: ${wrong.length} values read back differ from those written`);
}

// The suite's folder holds the edge-case set and its schema, for every test.
let edgeInput, edgeSchema;
const suite = suiteSetup('s3dest-parquet-types-', {
  duck: true,
  setup: ({ dir }) => {
    edgeInput = path.join(dir, 'edge.ndjson');
    fs.writeFileSync(edgeInput, EDGE_ROWS.map((r) => r.line + '\n').join(''));
    edgeSchema = writeJson(path.join(dir, 'edge-schema.json'), EDGE_SCHEMA);
  },
});

// Loads the edge-case set with `config` into work/lake; returns the destination and its files.
function loadEdge(work, config) {
  const dest = loadLake(work, config, ['--schema', edgeSchema, '--input', edgeInput]);
  return { dest, paths: filePaths(dest) };
}

for (const codec of Object.keys(CODECS)) {
  for (const binaryStrings of [false, true]) {
    const name = `parquet_compression ${codec}, use_binary_strings ${binaryStrings}`;
    test(`edge-case values read back exactly by DuckDB and hyparquet, ${name}`, () =>
      inWorkFolder(suite.dir, async (work) => {
        const { db } = suite;
        const config = edgeLayout({ file_format: 'parquet', parquet_compression: codec, use_binary_strings: binaryStrings });
        const { dest, paths } = loadEdge(work, config);
        assert.ok(paths.length > 1, 'one object per (day, account)');

        assert.deepEqual(await duckTypes(db, paths), edgeDuckTypes(binaryStrings), 'DuckDB DESCRIBE');
        assertEdgeRows('DuckDB', await duckEdgeRows(paths), dest);
        assertEdgeRows('hyparquet', await hyparquetEdgeRows(paths, binaryStrings), dest);
        await assertCodec(db, paths, codec);
        await assertCreatedBy(db, paths);
        await assertStatistics(db, paths);
      }, 'edge-'));
  }
}

for (const binaryStrings of [false, true]) {
  const name = `the edge-case set in one file: statistics over every value, use_binary_strings ${binaryStrings}`;
  test(name, () =>
    inWorkFolder(suite.dir, async (work) => {
      const { dest, paths } = loadEdge(work, {
        folder: '/edge', file_name: 'all', file_format: 'parquet', use_binary_strings: binaryStrings,
      });
      assert.deepEqual(paths, [path.join(dest, 'edge', 'all.parquet')]);
      assertEdgeRows('DuckDB', await duckEdgeRows(paths), dest, { partitioned: false });
      assertEdgeRows('hyparquet', await hyparquetEdgeRows(paths, binaryStrings), dest, { partitioned: false });
      await assertStatistics(suite.db, paths);
    }, 'edge-one-'));
}
