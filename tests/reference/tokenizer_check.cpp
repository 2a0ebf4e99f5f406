// Compares llactr's pre-tokenizers and BPE tokenizer with the cases sweep_cases.js wrote from the npm
// references. Not part of the build (see README.md for the one-line compile against libllactr.a).
//   tokenizer_check write-gguf TOKENS MERGES PRE OUT.gguf   vocabulary text files -> a GGUF (our writer)
//   tokenizer_check check PRE CASES.tsv [VOCAB.gguf]         counts mismatching splits (and ids)
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "llactr/llm/gguf/gguf.h"
#include "llactr/llm/tokenizer/pretokenizer.h"
#include "llactr/llm/tokenizer/tokenizer.h"

using namespace llactr;

namespace {

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> split_on(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::stringstream ss(s);
  for (std::string p; std::getline(ss, p, sep);) parts.push_back(p);
  return parts;
}

std::string from_hex(const std::string& h) {
  std::string s;
  for (size_t i = 0; i + 1 < h.size(); i += 2) s += char(std::stoi(h.substr(i, 2), nullptr, 16));
  return s;
}

std::string join(const std::vector<size_t>& v) {
  std::string s;
  for (size_t k = 0; k < v.size(); ++k) s += (k ? "," : "") + std::to_string(v[k]);
  return s;
}

int write_gguf(const std::string& tokens, const std::string& merges, const std::string& pre,
               const std::string& out) {
  gguf::GgufWriter w;
  w.set_string("tokenizer.ggml.model", "gpt2");
  w.set_string("tokenizer.ggml.pre", pre);
  w.set_strings("tokenizer.ggml.tokens", read_lines(tokens));
  w.set_strings("tokenizer.ggml.merges", read_lines(merges));
  const std::vector<uint8_t> bytes = w.to_bytes();
  std::ofstream(out, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  std::printf("wrote %s (%zu bytes)\n", out.c_str(), bytes.size());
  return 0;
}

int check(const std::string& pre, const std::string& cases, const std::string& vocab_path) {
  const llm::PreTokenizer kind = llm::pre_tokenizer_from_name(pre);
  std::unique_ptr<llm::Tokenizer> tok;
  if (!vocab_path.empty()) tok = std::make_unique<llm::Tokenizer>(llm::vocab_from_gguf(gguf::GgufFile::open(vocab_path)));
  size_t n = 0, bad_split = 0, n_ids = 0, bad_ids = 0;
  std::set<std::string> bad_split_cps, bad_id_cps;
  std::ifstream in(cases);
  if (!in) throw std::runtime_error("cannot open " + cases);
  for (std::string line; std::getline(in, line);) {
    const std::vector<std::string> f = split_on(line, '\t');
    if (f.size() != 4) throw std::runtime_error(cases + ": bad line: " + line);
    const std::string text = from_hex(f[1]);
    std::vector<size_t> lens;
    for (const std::string& w : llm::pre_tokenize(text, kind)) lens.push_back(w.size());
    ++n;
    if (join(lens) != f[2]) {
      if (bad_split_cps.insert(f[0]).second && bad_split_cps.size() <= 5)
        std::printf("  split U+%s '%s': ours %s, reference %s\n", f[0].c_str(), text.c_str(), join(lens).c_str(), f[2].c_str());
      ++bad_split;
    }
    if (tok && f[3] != "-") {
      ++n_ids;
      std::string ids;
      for (int32_t id : tok->encode(text, false)) ids += (ids.empty() ? "" : ",") + std::to_string(id);
      if (ids != f[3]) {
        if (bad_id_cps.insert(f[0]).second && bad_id_cps.size() <= 5)
          std::printf("  ids U+%s '%s': ours %s, reference %s\n", f[0].c_str(), text.c_str(), ids.c_str(), f[3].c_str());
        ++bad_ids;
      }
    }
  }
  std::printf("%s: %zu cases, %zu split mismatches (%zu code points); %zu id cases, %zu id mismatches (%zu code points)\n",
              pre.c_str(), n, bad_split, bad_split_cps.size(), n_ids, bad_ids, bad_id_cps.size());
  std::ofstream list(cases + ".mismatched-cps");
  for (const std::string& cp : bad_split_cps) list << cp << " split\n";
  for (const std::string& cp : bad_id_cps) list << cp << " ids\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> a(argv + 1, argv + argc);
    if (a.size() == 5 && a[0] == "write-gguf") return write_gguf(a[1], a[2], a[3], a[4]);
    if ((a.size() == 3 || a.size() == 4) && a[0] == "check") return check(a[1], a[2], a.size() == 4 ? a[3] : "");
    std::cerr << "usage: tokenizer_check write-gguf TOKENS MERGES PRE OUT.gguf\n"
                 "       tokenizer_check check PRE CASES.tsv [VOCAB.gguf]\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
