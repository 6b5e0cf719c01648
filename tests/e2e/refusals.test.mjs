// Layouts and configs that DESIGN.md says are refused: exit 2, a message that begins
// "s3dest: error:" and names what to fix, and nothing written to --dest.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import {
  assertFails,
  assertNothingWritten,
  dayAccountConfig,
  listFiles,
  s3dest,
  suiteSetup,
  workFolder,
  writeConfig,
} from './lib.mjs';

const VARIABLES = [
  'workspace_id', 'workspace_title', 'data_source', 'data_table_title', 'report_type', 'filename',
  'account', 'dataclass', 'YYYY', 'MM', 'DD', 'YYYY_today', 'MM_today', 'DD_today', 'H', 'M', 'S',
  'timestamp', 'chunk_id', 'worker', 'run_id', 'uuid',
];

const suite = suiteSetup('s3dest-refusals-', { sample: { rows: 2000, days: 30, accounts: 5 } });

// Runs a load of good input with `config` (an object, or the raw text of the file) into a
// destination that does not exist yet, or into an existing empty one when `existing`.
function loadWith(config, { existing = false, args = [] } = {}) {
  const work = workFolder(suite.dir, 'case-');
  const configPath = path.join(work, 'config.json');
  fs.writeFileSync(configPath, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  const dest = path.join(work, 'lake');
  if (existing) fs.mkdirSync(dest);
  const r = s3dest(['load', '--config', configPath, '--input', suite.input, '--dest', dest, ...args]);
  return { ...r, dest, configPath, work };
}

// Asserts exit 2, the message words, and that nothing was written.
function refused(r, words) {
  assertFails(r, 2, words);
  assertNothingWritten(r.dest);
  // Nor anywhere else in the run's folder: only the config file is there.
  assert.deepEqual(listFiles(r.work), ['config.json']);
}

// The 1-based column, in characters, of `needle` in `text`.
const columnOf = (text, needle) => [...text.slice(0, text.indexOf(needle))].length + 1;

describe('template refusals', () => {
  test('an unknown variable: the message names it, its column, and lists the valid ones', () => {
    const folder = '/ws/zürich/{{workspace_id}}/{{yyyy}}/{{MM}}/{{DD}}';
    const r = loadWith(dayAccountConfig({ folder: folder + '/{{account}}' }));
    refused(r, ['yyyy', 'folder', `column ${columnOf(folder, '{{yyyy}}')}`, ...VARIABLES]);
  });

  test('an unknown variable in file_name, with spaces inside the braces', () => {
    const file_name = '{{ filename }}-{{ chunkid }}';
    const r = loadWith(dayAccountConfig({ file_name: file_name + '{{YYYY}}{{MM}}{{DD}}' }));
    refused(r, ['chunkid', 'file_name', `column ${columnOf(file_name, '{{ chunkid }}')}`, 'chunk_id']);
  });

  test('unclosed braces', () => {
    const r = loadWith(dayAccountConfig({ folder: '/{{workspace_id}}/{{account}}/{{YYYY}}/{{MM}}/{{DD' }));
    refused(r, ['folder', /not closed|unclosed/i, '{{']);
  });

  test('a variable closed with a single brace', () => {
    const r = loadWith(dayAccountConfig({ file_name: '{{filename}-{{YYYY}}{{MM}}{{DD}}-{{chunk_id}}' }));
    refused(r, ['file_name', /not closed|unclosed/i]);
  });

  test('empty braces', () => {
    const r = loadWith(dayAccountConfig({ file_name: '{{filename}}-{{}}-{{YYYY}}{{MM}}{{DD}}-{{chunk_id}}' }));
    refused(r, ['file_name', /empty/i]);
  });

  test('braces holding only spaces', () => {
    const r = loadWith(dayAccountConfig({ folder: '/{{workspace_id}}/{{   }}/{{account}}/{{YYYY}}/{{MM}}/{{DD}}' }));
    refused(r, ['folder', /empty/i]);
  });

  test('DD with partition_by month', () => {
    const r = loadWith(dayAccountConfig({ partition_by: 'month' }));
    refused(r, ['DD', 'month']);
  });

  test('account without use_load_by_account', () => {
    const r = loadWith(dayAccountConfig({ use_load_by_account: false }));
    refused(r, ['account', 'use_load_by_account']);
  });

  test('use_load_by_account without account in the layout', () => {
    const r = loadWith(dayAccountConfig({ folder: '/{{workspace_id}}/{{YYYY}}/{{MM}}/{{DD}}' }));
    refused(r, ['use_load_by_account', 'account']);
  });

  test('max_file_size_mb without chunk_id in file_name', () => {
    const r = loadWith(dayAccountConfig({ file_name: '{{filename}}-{{YYYY}}{{MM}}{{DD}}', max_file_size_mb: 10 }));
    refused(r, ['max_file_size_mb', 'chunk_id']);
  });

  test('chunk_id only in the folder does not count for max_file_size_mb', () => {
    const r = loadWith(
      dayAccountConfig({
        folder: '/{{workspace_id}}/{{account}}/{{YYYY}}/{{MM}}/{{DD}}/{{chunk_id}}',
        file_name: '{{filename}}',
        max_file_size_mb: 10,
      }),
    );
    refused(r, ['max_file_size_mb', 'chunk_id', 'file_name']);
  });

  test('day partitions in a layout without DD: two days would share a key', () => {
    const r = loadWith(
      dayAccountConfig({ folder: '/{{workspace_id}}/{{account}}/{{YYYY}}/{{MM}}', file_name: 'data-{{chunk_id}}' }),
    );
    refused(r, ['DD', 'day']);
  });

  test('day partitions in a layout without MM: two days would share a key', () => {
    const r = loadWith(
      dayAccountConfig({ folder: '/{{workspace_id}}/{{account}}/{{YYYY}}/{{DD}}', file_name: 'data-{{chunk_id}}' }),
    );
    refused(r, ['MM', 'day']);
  });

  test('month partitions in a layout without MM', () => {
    const r = loadWith(
      dayAccountConfig({
        folder: '/{{workspace_id}}/{{account}}/{{YYYY}}',
        file_name: 'data-{{chunk_id}}',
        partition_by: 'month',
      }),
    );
    refused(r, ['MM', 'month']);
  });

  test('a ".." folder in the layout text (it would climb out of the destination)', () => {
    const r = loadWith(dayAccountConfig({ folder: '/{{workspace_id}}/../../{{account}}/{{YYYY}}/{{MM}}/{{DD}}' }));
    refused(r, ['folder', '".."']);
  });

  test('a "." folder in file_name', () => {
    const r = loadWith(dayAccountConfig({ file_name: './{{filename}}-{{YYYY}}{{MM}}{{DD}}-{{chunk_id}}' }));
    refused(r, ['file_name', '"."']);
  });

  test('a context variable used but not given', () => {
    const config = dayAccountConfig({ folder: '/{{workspace_id}}/{{data_source}}/{{account}}/{{YYYY}}/{{MM}}/{{DD}}' });
    const r = loadWith(config);
    refused(r, ['data_source', 'context', '--set']);
  });

  test('a layout whose keys are longer than S3 takes', () => {
    const r = loadWith(dayAccountConfig({ folder: `/${'long-folder-name/'.repeat(70)}{{account}}/{{YYYY}}/{{MM}}/{{DD}}` }));
    refused(r, ['the layout renders keys too long', 'past the 1024 S3 takes', 'shorten folder']);
  });

  test('a file name longer than a local folder takes', () => {
    const r = loadWith(dayAccountConfig({ file_name: `${'n'.repeat(250)}-{{YYYY}}{{MM}}{{DD}}-{{chunk_id}}` }));
    refused(r, ['a name in the key would be 269 bytes long, past the 255 a local folder takes']);
  });

  test('a context variable used with no context at all, into an existing empty folder', () => {
    const config = dayAccountConfig();
    delete config.context;
    const r = loadWith(config, { existing: true });
    refused(r, [/workspace_id|filename/]);
  });
});

describe('config refusals', () => {
  test('an unknown key names the nearest known key', () => {
    const config = dayAccountConfig();
    config.file_fromat = config.file_format;
    delete config.file_format;
    const r = loadWith(config);
    refused(r, ['file_fromat', 'file_format']);
  });

  test('another unknown key: "seperator"', () => {
    const r = loadWith({ ...dayAccountConfig(), seperator: 'tab' });
    refused(r, ['seperator', '"separator"']);
  });

  for (const [key, value] of [
    ['file_format', 'xml'],
    ['separator', 'pipe'],
    ['partition_by', 'week'],
    ['encryption', 'rot13'],
    ['checksum', 'sha1'],
    ['existing_objects', 'overwrite'],
  ]) {
    test(`a bad ${key} value: "${value}"`, () => {
      const r = loadWith(dayAccountConfig({ [key]: value }));
      refused(r, [key, value]);
    });
  }

  test('a bad file_format lists the valid ones', () => {
    const r = loadWith(dayAccountConfig({ file_format: 'CSV' }));
    refused(r, ['file_format', 'CSV', 'csv+gzip', 'json+gzip']);
  });

  for (const [key, value] of [
    ['max_file_size_mb', '10'],
    ['max_file_size_mb', -1],
    ['use_load_by_account', 'yes'],
    ['folder', 42],
    ['context', ['ws1']],
    ['memory_limit_mb', 'lots'],
    ['gzip_level', 1.5],
  ]) {
    test(`a wrong type or range: ${key} = ${JSON.stringify(value)}`, () => {
      const r = loadWith(dayAccountConfig({ [key]: value }));
      refused(r, [key]);
    });
  }

  test('a context value that is not a string', () => {
    const r = loadWith(dayAccountConfig({ context: { workspace_id: 7, filename: 'campaigns' } }));
    refused(r, ['workspace_id']);
  });

  test('an endpoint over plain http to another machine, unless allow_http (then a warning every run)', () => {
    const s3 = { access_key_id: 'AKIDEXAMPLE', secret_access_key: 'not-a-secret', path_style: true, max_attempts: 1 };
    for (const key of ['endpoint', 'sts_endpoint']) {
      const work = workFolder(suite.dir, 'case-');
      const config = writeConfig(work, dayAccountConfig({ ...s3, [key]: 'http://10.1.2.3:9000' }));
      const r = s3dest(['load', '--config', config, '--input', suite.input, '--dest', 's3://lake/x']);
      assertFails(r, 2, [`"${key}" http://10.1.2.3:9000 is plain http to another machine`, '"allow_http": true']);
    }
    // Allowed: it says so, then goes on (0.0.0.0 is no loopback address, and refuses at once).
    const work = workFolder(suite.dir, 'case-');
    const config = writeConfig(work, dayAccountConfig({ ...s3, endpoint: 'http://0.0.0.0:9', allow_http: true }));
    const r = s3dest(['load', '--config', config, '--input', suite.input, '--dest', 's3://lake/x']);
    assert.match(r.stderr, /^s3dest: warning: allow_http: credentials, session tokens and data go unencrypted over plain http to 0\.0\.0\.0:9$/m);
    assert.equal(r.status, 4, r.stderr);
  });

  test('a key given twice, with both lines', () => {
    const text = JSON.stringify(dayAccountConfig(), null, 2).replace('"file_format": "csv",',
                                                                     '"file_format": "csv",\n  "file_format": "json",');
    const r = loadWith(text);
    refused(r, ['"file_format" is given twice (lines 5 and 6)']);
  });

  test('a config that is not valid JSON', () => {
    const r = loadWith('{"folder": "/x", "file_name": "y",');
    refused(r, ['config.json', /JSON/]);
  });
});
