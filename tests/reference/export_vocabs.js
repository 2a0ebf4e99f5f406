// Writes the GPT-2 and cl100k vocabularies as plain text for tokenizer_check's write-gguf:
//   OUT/gpt2.tokens, OUT/gpt2.merges, OUT/cl100k.tokens, OUT/cl100k.merges
// one token (byte-level form, id = line number) or one merge "left right" (rank = line number) per line.
// cl100k has ranks, not merges: each token's merge is the last step of BPE on its own bytes with
// only lower ranks allowed (the conversion Hugging Face uses for tiktoken vocabularies).
// usage: node export_vocabs.js OUT
'use strict';
const path = require('path');
const { byteLevel, gpt3Dir, cl100kRanks, fs } = require('./references.js');

const out = process.argv[2];
if (!out) throw new Error('usage: node export_vocabs.js OUT');
fs.mkdirSync(out, { recursive: true });

// GPT-2: encoder.json (token -> id) and vocab.bpe (merges after a version line).
const encoder = JSON.parse(fs.readFileSync(path.join(gpt3Dir, 'encoder.json'), 'utf8'));
const gpt2Tokens = [];
for (const [tok, id] of Object.entries(encoder)) gpt2Tokens[id] = tok;
const gpt2Merges = fs.readFileSync(path.join(gpt3Dir, 'vocab.bpe'), 'utf8').split('\n')
  .filter((l, i) => i > 0 && l.trim().length);
fs.writeFileSync(path.join(out, 'gpt2.tokens'), gpt2Tokens.join('\n') + '\n');
fs.writeFileSync(path.join(out, 'gpt2.merges'), gpt2Merges.join('\n') + '\n');

// cl100k: "base64 rank" pairs, compressed as "! offset tok tok ..." runs (js-tiktoken's format).
const rankOf = new Map();  // byte-level string -> rank
const tokens = [];
for (const line of cl100kRanks.bpe_ranks.split('\n').filter(Boolean)) {
  const [, offset, ...toks] = line.split(' ');
  toks.forEach((b64, i) => {
    const s = byteLevel(Buffer.from(b64, 'base64'));
    rankOf.set(s, Number(offset) + i);
    tokens[Number(offset) + i] = s;
  });
}
function lastMerge(token, maxRank) {
  let parts = Array.from(token);
  for (;;) {
    let best = -1, bestRank = Infinity;
    for (let i = 0; i + 1 < parts.length; ++i) {
      const r = rankOf.get(parts[i] + parts[i + 1]);
      if (r !== undefined && r < bestRank) { best = i; bestRank = r; }
    }
    if (best < 0 || bestRank >= maxRank) return parts;
    parts = [...parts.slice(0, best), parts[best] + parts[best + 1], ...parts.slice(best + 2)];
  }
}
const merges = [];
tokens.forEach((tok, rank) => {
  if (Array.from(tok).length < 2) return;
  const parts = lastMerge(tok, rank);
  if (parts.length !== 2) throw new Error(`cl100k token ${rank} is not one merge of lower ranks`);
  merges.push(parts.join(' '));
});
for (let i = 0; i < tokens.length; ++i) if (tokens[i] === undefined) throw new Error(`cl100k rank ${i} missing`);
fs.writeFileSync(path.join(out, 'cl100k.tokens'), tokens.join('\n') + '\n');
fs.writeFileSync(path.join(out, 'cl100k.merges'), merges.join('\n') + '\n');
console.log(`gpt2: ${gpt2Tokens.length} tokens, ${gpt2Merges.length} merges; ` +
            `cl100k: ${tokens.length} tokens, ${merges.length} merges -> ${out}`);
