// UTF-8 checks and repairs. Every string the data layer hands on is valid UTF-8, because the
// values' texts end up in LLM prompts: Latin-1 files are converted, and invalid bytes in files
// that should already be UTF-8 become U+FFFD instead of crashing or leaking into a tokenizer.
#pragma once
#include <string>
#include <string_view>

namespace llactr {

bool is_valid_utf8(std::string_view s);

// Each byte is one ISO-8859-1 code point (U+0000..U+00FF); bytes >= 0x80 become two UTF-8 bytes.
std::string latin1_to_utf8(std::string_view s);

// Keeps valid UTF-8 sequences; each invalid byte (bad lead, truncated or overlong sequence,
// surrogate, > U+10FFFF) becomes U+FFFD. Returns s unchanged when it is already valid.
std::string repair_utf8(std::string_view s);

// Files documented as ISO-8859-1 (movies.dat, u.item) are decoded as Latin-1 unless they are
// already valid UTF-8, so a re-encoded copy of the file reads the same.
std::string latin1_file_to_utf8(std::string_view s);

// Appends the UTF-8 encoding of code point cp (assumed valid) to out.
void append_utf8(std::string& out, unsigned cp);

}  // namespace llactr
