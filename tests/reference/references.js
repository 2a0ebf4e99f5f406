// The reference pre-tokenizer splits and token ids, from npm's gpt-3-encoder (GPT-2) and js-tiktoken
// (cl100k_base, whose split is Llama-3's "llama-bpe"). Shared by export_vocabs.js, sweep_cases.js and
// gtest_cases.js. JavaScript `u` regexes use the real Unicode properties of node's ICU.
'use strict';
const fs = require('fs');
const path = require('path');
const { getEncoding } = require('js-tiktoken');
const gpt3 = require('gpt-3-encoder');
const cl100kRanks = require('js-tiktoken/ranks/cl100k_base');

const GPT2_PAT = String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`;
const LLAMA3_PAT = cl100kRanks.pat_str;  // (?i:...) spelled out in ASCII, as in llama.cpp
const QWEN2_PAT = LLAMA3_PAT.replace(String.raw`\p{N}{1,3}`, String.raw`\p{N}`);
if (QWEN2_PAT === LLAMA3_PAT) throw new Error('cl100k pattern changed: no \\p{N}{1,3} to replace');

// Matches of `re` over text, with any unmatched gap kept as a piece of its own (as llama.cpp does),
// so the pieces always concatenate back to the text.
function splitKeep(re, text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[0].length) out.push(m[0]);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

// JavaScript's \s is not Unicode's White_Space (it has U+FEFF, lacks U+0085); llama.cpp, Rust's and
// Python's regexes use White_Space. whiteSpacePattern spells \s and \S out as White_Space.
const WHITE_SPACE = String.raw`\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000`;
function whiteSpacePattern(pat) {
  return pat.replace(/\[[^\]]*\]|\\s|\\S/g, (m) =>
    m.startsWith('[') ? m.replace(/\\s/g, WHITE_SPACE) : m === String.raw`\s` ? `[${WHITE_SPACE}]` : `[^${WHITE_SPACE}]`);
}

function splitters(ws) {
  const re = (pat) => new RegExp(ws ? whiteSpacePattern(pat) : pat, 'gu');
  return {
    'gpt-2': (t) => splitKeep(re(GPT2_PAT), t),
    'llama-bpe': (t) => splitKeep(re(LLAMA3_PAT), t),
    'qwen2': (t) => splitKeep(re(QWEN2_PAT), t),
    // smollm (llama.cpp's regex list): every \p{N} on its own first, then the gpt2 regex in each piece.
    'smollm': (t) => splitKeep(re(String.raw`\p{N}`), t).flatMap((p) => splitKeep(re(GPT2_PAT), p)),
  };
}
const SPLITTERS = splitters(false);          // exactly the JavaScript references' regexes
const SPLITTERS_WHITE_SPACE = splitters(true);  // the same with \s = White_Space

let cl100k = null;
const ENCODERS = {
  'gpt-2': (t) => gpt3.encode(t),
  'llama-bpe': (t) => (cl100k = cl100k || getEncoding('cl100k_base')).encode(t),
};

// GPT-2's byte -> printable character map (the byte-level form of vocabulary strings).
const BYTE_TO_CHAR = (() => {
  const map = new Array(256);
  let next = 256;
  for (let b = 0; b < 256; ++b) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || b >= 0xae;
    map[b] = String.fromCodePoint(printable ? b : next++);
  }
  return map;
})();
const byteLevel = (bytes) => Array.from(bytes, (b) => BYTE_TO_CHAR[b]).join('');

module.exports = { SPLITTERS, SPLITTERS_WHITE_SPACE, ENCODERS, byteLevel, gpt3Dir: path.dirname(require.resolve('gpt-3-encoder')),
                   cl100kRanks, fs };
