// The sweep: every assigned code point X (node's Unicode; surrogates and the private-use planes
// 15-16 left out) in the forms below, with the reference split of each pre-type and, for gpt-2 and
// llama-bpe, the reference ids. Writes OUT/cases-<pre>.tsv, one case per line:
//   code point (hex) \t text (UTF-8 as hex) \t split (UTF-8 byte length of each word) \t ids or "-"
// usage: node sweep_cases.js OUT
'use strict';
const path = require('path');
const { SPLITTERS, ENCODERS, fs } = require('./references.js');

const FORMS = [(x) => ` ${x}'s`, (x) => ` ${x}`, (x) => `${x}'s`, (x) => `a${x}1`, (x) => `1${x} `,
               (x) => `${x}  b`];
const out = process.argv[2];
if (!out) throw new Error('usage: node sweep_cases.js OUT');
const assigned = /\P{Cn}/u;
const hex = (s) => Buffer.from(s, 'utf8').toString('hex');
const bytes = (s) => Buffer.byteLength(s, 'utf8');

for (const pre of Object.keys(SPLITTERS)) {
  const lines = [];
  for (let cp = 0; cp < 0xF0000; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    const x = String.fromCodePoint(cp);
    if (!assigned.test(x)) continue;
    for (const form of FORMS) {
      const text = form(x);
      const split = SPLITTERS[pre](text).map(bytes).join(',');
      const ids = ENCODERS[pre] ? ENCODERS[pre](text).join(',') : '-';
      lines.push(`${cp.toString(16)}\t${hex(text)}\t${split}\t${ids}`);
    }
  }
  fs.writeFileSync(path.join(out, `cases-${pre}.tsv`), lines.join('\n') + '\n');
  console.log(`${pre}: ${lines.length} cases`);
}
