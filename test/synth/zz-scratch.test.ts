import { it } from 'vitest';
import { parse } from '@cdktf/hcl2json';
import { renderHcl } from '../../src/synth/hcl.js';
it('x', async () => {
  const doc = { locals: {
    a: 'line1\nEOT\nline3\n',
    b: 'x $${literal} %%{lit} "q" \\ back',
    l: 'unicode ☃ and \u0001',
    m: 'first\n\nthird ${x}\n',
  } };
  const hcl = renderHcl(doc);
  console.log(hcl);
  try { console.log(JSON.stringify(await parse('x.tf', hcl), null, 1)); } catch (e) { console.log('PARSE ERR', e); }
});
