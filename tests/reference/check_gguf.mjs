// Independent check of a llama GGUF written by `llactr pretrain`, with Hugging Face's GGUF reader
// (npm @huggingface/gguf), not ours: the metadata llama.cpp's llama loader reads, every tensor's
// name, shape and type, the data layout, and the tokenizer arrays.
//
//   node tests/reference/check_gguf.mjs M.gguf [TOKENIZER.gguf]
//
// With TOKENIZER.gguf, every tokenizer.* key of that file must be in M.gguf with the same value.
// Prints what it checked; exits 1 on the first list of failures.
import { gguf } from "@huggingface/gguf";
import { statSync } from "node:fs";
import { resolve } from "node:path";

const [modelPath, tokenizerPath] = process.argv.slice(2);
if (!modelPath) {
  console.error("usage: node check_gguf.mjs M.gguf [TOKENIZER.gguf]");
  process.exit(2);
}

const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
};
const num = (v) => (typeof v === "bigint" ? Number(v) : v);

const { metadata, tensorInfos, tensorDataOffset } = await gguf(resolve(modelPath), { allowLocalFile: true });
const m = (key) => metadata[key];

// ---- hyperparameters: the keys llama.cpp's LLM_ARCH_LLAMA requires, and those it defaults
// (llactr pretrain writes them all; a file converted by llama.cpp, e.g. stories260K, may omit them)
check(m("general.architecture") === "llama", `general.architecture is ${m("general.architecture")}, expected llama`);
const required = [
  "llama.context_length", "llama.embedding_length", "llama.block_count", "llama.feed_forward_length",
  "llama.attention.head_count", "llama.attention.layer_norm_rms_epsilon",
];
const defaulted = ["llama.attention.head_count_kv", "llama.rope.dimension_count", "llama.rope.freq_base", "llama.vocab_size"];
for (const k of required) check(m(k) !== undefined, `missing ${k}`);
const absent = defaulted.filter((k) => m(k) === undefined);
const d = num(m("llama.embedding_length")), L = num(m("llama.block_count")), ff = num(m("llama.feed_forward_length"));
const nh = num(m("llama.attention.head_count")), nkv = num(m("llama.attention.head_count_kv") ?? nh);
const hd = d / nh, kvDim = nkv * hd;
check(Number.isInteger(hd) && hd % 2 === 0, `embedding_length ${d} / head_count ${nh} is not an even integer`);
check(nh % nkv === 0, `head_count ${nh} is not a multiple of head_count_kv ${nkv}`);
const nRot = num(m("llama.rope.dimension_count") ?? hd);
check(nRot <= hd && nRot % 2 === 0, `rope.dimension_count ${nRot} must be even and at most the head size ${hd}`);
check(m("llama.attention.layer_norm_rms_epsilon") > 0, "layer_norm_rms_epsilon must be positive");
check((m("llama.rope.freq_base") ?? 10000) > 0, "rope.freq_base must be positive");
check(num(m("llama.context_length")) > 1, "context_length must be > 1");

// ---- tokenizer arrays
const tokens = m("tokenizer.ggml.tokens");
const V = num(m("llama.vocab_size") ?? tokens?.length);
check(Array.isArray(tokens), "tokenizer.ggml.tokens is not an array");
check(tokens?.length === V, `tokenizer.ggml.tokens has ${tokens?.length} entries, llama.vocab_size is ${V}`);
check(["llama", "gpt2"].includes(m("tokenizer.ggml.model")), `tokenizer.ggml.model is ${m("tokenizer.ggml.model")}`);
for (const k of ["tokenizer.ggml.scores", "tokenizer.ggml.token_type"])
  if (m(k) !== undefined) check(m(k).length === V, `${k} has ${m(k).length} entries, expected ${V}`);
for (const k of ["tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.unknown_token_id"])
  if (m(k) !== undefined) check(num(m(k)) >= 0 && num(m(k)) < V, `${k} = ${m(k)} is outside the vocabulary`);

// ---- tensors: exactly the llama set, in ggml shapes [in, out], all F32 (ggml type 0)
const expected = new Map([["token_embd.weight", [d, V]], ["output_norm.weight", [d]]]);
if (tensorInfos.some((t) => t.name === "output.weight")) expected.set("output.weight", [d, V]);
for (let i = 0; i < L; i++) {
  const p = `blk.${i}.`;
  expected.set(p + "attn_norm.weight", [d]);
  expected.set(p + "attn_q.weight", [d, nh * hd]);
  expected.set(p + "attn_k.weight", [d, kvDim]);
  expected.set(p + "attn_v.weight", [d, kvDim]);
  expected.set(p + "attn_output.weight", [nh * hd, d]);
  expected.set(p + "ffn_norm.weight", [d]);
  expected.set(p + "ffn_gate.weight", [d, ff]);
  expected.set(p + "ffn_up.weight", [d, ff]);
  expected.set(p + "ffn_down.weight", [ff, d]);
}
const fileSize = BigInt(statSync(modelPath).size);
const alignment = BigInt(num(m("general.alignment") ?? 32));
let params = 0;
for (const t of tensorInfos) {
  const shape = t.shape.map(Number);
  const want = expected.get(t.name);
  check(want !== undefined, `unexpected tensor ${t.name}`);
  if (want) check(JSON.stringify(shape) === JSON.stringify(want), `${t.name} has shape [${shape}], expected [${want}]`);
  check(t.dtype === 0, `${t.name} has ggml type ${t.dtype}, expected 0 (F32)`);
  const n = shape.reduce((a, b) => a * b, 1);
  params += n;
  check(t.offset % alignment === 0n, `${t.name} data offset ${t.offset} is not ${alignment}-aligned`);
  check(tensorDataOffset + t.offset + BigInt(4 * n) <= fileSize, `${t.name} data runs past the end of the file`);
  expected.delete(t.name);
}
for (const name of expected.keys()) check(false, `missing tensor ${name}`);

// ---- the tokenizer keys, value for value
let copied = 0;
if (tokenizerPath) {
  const tok = (await gguf(resolve(tokenizerPath), { allowLocalFile: true })).metadata;
  for (const [k, v] of Object.entries(tok)) {
    if (!k.startsWith("tokenizer.")) continue;
    copied++;
    const same = JSON.stringify(v, (_, x) => (typeof x === "bigint" ? x.toString() : x)) ===
      JSON.stringify(metadata[k], (_, x) => (typeof x === "bigint" ? x.toString() : x));
    check(same, `${k} differs from ${tokenizerPath}`);
  }
}

console.log(`${modelPath}: llama, dim ${d}, ${L} layers, ${nh} heads (${nkv} KV), ffn ${ff}, context ${m("llama.context_length")}, ` +
  `vocab ${V} (${m("tokenizer.ggml.model")}), rope base ${m("llama.rope.freq_base") ?? "10000 (default)"}, rms eps ${m("llama.attention.layer_norm_rms_epsilon")}`);
console.log(`${tensorInfos.length} tensors, all F32, ${(params / 1e6).toFixed(3)}M parameters, head ${
  tensorInfos.some((t) => t.name === "output.weight") ? "separate" : "tied to token_embd"}` +
  (tokenizerPath ? `; ${copied} tokenizer keys equal to ${tokenizerPath}'s` : ""));
if (absent.length) console.log(`absent (llama.cpp uses its defaults): ${absent.join(", ")}`);
if (failures.length) {
  console.log(`FAILED (${failures.length}):\n  ` + failures.join("\n  "));
  process.exit(1);
}
console.log("OK");
