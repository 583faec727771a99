import { it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../src/cli/main.js';

async function go(name: string, data: string | Buffer, file = 'spec.yaml') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scr-'));
  const f = path.join(dir, file);
  writeFileSync(f, data);
  const out: string[] = [];
  const t = performance.now();
  const code = await run(['validate', '--spec', f], { out: (s) => out.push(s), err: (s) => out.push(s), color: false, isTTY: false });
  const text = out.join('');
  console.log(name, code, Math.round(performance.now() - t), 'ms', text.length, JSON.stringify(text.slice(0, 300)));
}

it('scratch', async () => {
  const base = 'version: 1\nname: abc\ncors:\n  allowOrigins: [https://a.example.com]\nroutes:\n  - path: /x\n    methods: [GET]\n';
  await go('ok', base);
  await go('deep-seq', base + 'x: ' + '['.repeat(20000) + ']'.repeat(20000) + '\n');
  await go('deep-map', base + 'x: ' + '{a: '.repeat(20000) + '1' + '}'.repeat(20000) + '\n');
  await go('deep-json', '['.repeat(100000) + ']'.repeat(100000), 'spec.json');
  await go('deep-block', base + Array.from({length: 3000}, (_, i) => ' '.repeat(i) + 'k:').join('\n') + ' 1\n');
  const fffd = Buffer.concat([Buffer.from('#'), Buffer.from('\uFFFD'.repeat(20000)), Buffer.from([0xff])]);
  await go('fffd-20k', fffd);
  const keys = Array.from({ length: 30000 }, (_, i) => `k${i}: 1`).join('\n');
  await go('30k-keys', base + keys + '\n');
  await go('dup-null-key', '? \n: 1\n? \n: 2\n');
  await go('dup-spaces', '{' + ' '.repeat(5000) + 'a: 1, a: 2}');
  await go('tags', base + 'z: !!binary aGVsbG8=\nw: !foo bar\n');
  await go('bigint', 'version: 1' + '0'.repeat(400) + '\nname: abc\n');
  await go('merge', 'a: &a {x: 1}\nb: {<<: *a}\n');
});
