// Reading text files line by line with errors that name the file, the line and the reason,
// and the small field parsers the readers share.
#pragma once
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace llactr::data {

// Thrown by a line parser with just the reason; for_each_line adds "file:line: ".
struct BadLine : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Malformed lines seen so far. With skip == false the first one is an error.
struct SkippedLines {
  bool skip = false;
  bool skippable = true;  // false for config files (schema, descriptions): no --skip-bad-lines hint
  size_t count = 0;
  std::string first;  // "file:line: reason" of the first skipped line
};

// Whole file as bytes. A missing file is an error that says what it is and how to get it (hint).
std::string read_text_file(const std::string& path, const std::string& hint);

// A text corpus's non-blank lines ('\n' or "\r\n" endings). Throws std::runtime_error for a missing
// or empty file, and "path:line: reason" for a NUL byte (a binary file) or invalid UTF-8.
std::vector<std::string> read_corpus_lines(const std::string& path);

// Calls parse(line) for each non-blank line of text ('\n' or "\r\n" endings). A BadLine from
// parse becomes std::runtime_error("path:line: reason"), or is counted in skipped if skipped.skip.
void for_each_line(std::string_view text, const std::string& path, SkippedLines& skipped,
                   const std::function<void(std::string_view line)>& parse);

// Splits on a separator string; pieces are views into s.
std::vector<std::string_view> split(std::string_view s, std::string_view sep);
std::string_view trim(std::string_view s);

// Strict whole-string numbers; throw BadLine naming what (e.g. "rating") and the text.
int64_t parse_int(std::string_view s, const char* what);
double parse_double(std::string_view s, const char* what);

}  // namespace llactr::data
