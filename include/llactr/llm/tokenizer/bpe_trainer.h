// Training a SentencePiece-style BPE vocabulary ("llama" tokenizer model, byte fallback) on a text
// corpus, and writing it as a GGUF file that holds only the tokenizer.
//
// The text is normalised as Tokenizer::encode (tokenizer_spm.cpp) does: a space before each line
// (add_space_prefix), then every ' ' becomes U+2581 "▁". A word is a run that starts at a "▁", so
// no piece crosses a word start. Training: count the words once; start from one symbol per
// character; repeatedly merge the adjacent pair of symbols with the highest count over all words
// (ties: the pair whose left, then right, symbol id is smaller; characters are numbered by
// falling count, then by their bytes; merged pieces after them, in merge order), until the
// vocabulary is full or no pair occurs twice. Pair counts are updated incrementally: a merge
// revisits only the words that hold the pair.
//
// The vocabulary, in id order:
//   0 <unk> (Unknown), 1 <s>, 2 </s> (Control), 3..258 <0x00>..<0xFF> (Byte),
//   then the merged pieces in merge order with score -rank (0, -1, -2, ...),
//   then the single characters (Normal), scored below every merge.
// The SentencePiece encoder merges the adjacent pair whose concatenation is the highest-scoring
// token, so it replays the training merges in their order. Characters seen fewer than
// min_char_count times are not tokens: they encode as their UTF-8 bytes' <0xXX> tokens.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "llactr/llm/tokenizer/tokenizer.h"
#include "llactr/llm/tokenizer/vocab.h"

namespace llactr::gguf {
class GgufWriter;
}

namespace llactr::llm {

struct BpeTrainOptions {
  int32_t vocab_size = 4096;   // total tokens, the 259 control and byte tokens included
  int64_t min_char_count = 1;  // rarer characters are left to byte fallback
};

struct BpeTrainStats {
  size_t lines = 0, words = 0, unique_words = 0;
  size_t chars_kept = 0, chars_dropped = 0;  // distinct characters that are / are not tokens
  size_t merges = 0;                         // merge steps (a piece reached twice is one token)
  size_t tokens = 0;  // the corpus's tokens in the training's final segmentation (a dropped
                      // character counts one token per UTF-8 byte, as byte fallback encodes it)
};

// The corpus's non-blank lines ('\n' or "\r\n" endings). Throws std::runtime_error for a missing
// or empty file, and "path:line: reason" for a NUL byte (a binary file) or invalid UTF-8.
std::vector<std::string> read_corpus_lines(const std::string& path);

// Throws std::invalid_argument when vocab_size < 259 + the characters kept (naming both), or for
// an empty corpus.
Vocab train_bpe_vocab(const std::vector<std::string>& lines, const BpeTrainOptions& options,
                      BpeTrainStats* stats = nullptr);

// The tokenizer.ggml.* keys of a "llama" vocabulary (model, tokens, scores, token_type, bos/eos/unk
// ids, add_bos_token, add_eos_token, add_space_prefix), for a tokenizer file or a model's GGUF.
void set_tokenizer_metadata(gguf::GgufWriter& writer, const Vocab& vocab);

// A GGUF file with general.name, the keys above and no tensors: vocab_from_gguf reads it.
void write_tokenizer_gguf(const Vocab& vocab, const std::string& path);

// Every line encoded once: how much falls back to <0xXX> byte tokens, and whether
// decode(encode(line)) gives the line back.
struct CorpusEncoding {
  size_t tokens = 0, byte_tokens = 0;    // over all lines, BOS not counted
  double mean_line_share = 0;            // mean over lines of (byte tokens / tokens)
  std::vector<std::pair<double, size_t>> worst;  // (share, line index), highest share first
  size_t round_trip_failures = 0;
  size_t first_failure = 0;              // line index, when there is one
};
CorpusEncoding encode_corpus(const Tokenizer& tok, const std::vector<std::string>& lines, size_t n_worst);

}  // namespace llactr::llm
