#include "llactr/data/line_parsing.h"

#include "llactr/util/utf8.h"

#include <charconv>
#include <cstdio>
#include <memory>

namespace llactr::data {

std::string read_text_file(const std::string& path, const std::string& hint) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f) throw std::runtime_error("cannot open " + path + " (" + hint + ")");
  std::string text;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) text.append(buf, n);
  if (std::ferror(f.get())) throw std::runtime_error("read error in " + path);
  return text;
}

void for_each_line(std::string_view text, const std::string& path, SkippedLines& skipped,
                   const std::function<void(std::string_view line)>& parse) {
  size_t line_no = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) continue;
    try {
      parse(line);
    } catch (const BadLine& e) {
      std::string where = path + ":" + std::to_string(line_no) + ": " + e.what();
      if (!skipped.skip) throw std::runtime_error(where + (skipped.skippable ? " (--skip-bad-lines skips such lines)" : ""));
      if (skipped.count++ == 0) skipped.first = where;
    }
  }
}

std::vector<std::string_view> split(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    if (at == std::string_view::npos) break;
    out.push_back(s.substr(start, at - start));
    start = at + sep.size();
  }
  out.push_back(s.substr(start));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

int64_t parse_int(std::string_view s, const char* what) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    throw BadLine(std::string(what) + " is not an integer: '" + std::string(s.substr(0, 40)) + "'");
  return v;
}

double parse_double(std::string_view s, const char* what) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    throw BadLine(std::string(what) + " is not a number: '" + std::string(s.substr(0, 40)) + "'");
  return v;
}

std::vector<std::string> read_corpus_lines(const std::string& path) {
  const std::string text = read_text_file(path, "the corpus file");
  std::vector<std::string> lines;
  SkippedLines strict;
  strict.skippable = false;
  for_each_line(text, path, strict, [&](std::string_view line) {
    if (const size_t nul = line.find('\0'); nul != std::string_view::npos)
      throw BadLine("NUL byte at column " + std::to_string(nul + 1) + ": a binary file, not a text corpus");
    if (!is_valid_utf8(line)) throw BadLine("invalid UTF-8: the corpus must be UTF-8 text");
    lines.emplace_back(line);
  });
  if (lines.empty()) throw std::runtime_error(path + ": the corpus is empty (no non-blank line)");
  return lines;
}

}  // namespace llactr::data
