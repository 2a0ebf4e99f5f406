// The little Unicode the tokenizers need: UTF-8 <-> code points, the three character classes the
// pre-tokenizer regexes use (\p{L}, \p{N}, \s), and GPT-2's byte <-> printable-character map.
//
// The classes follow the Unicode Character Database (src/llm/tokenizer/unicode_tables.cpp, generated
// by scripts/gen-unicode-tables.py; Unicode 15.0): \p{L} is General_Category L, \p{N} is N, \s is the
// White_Space property (as in llama.cpp, Rust's and Python's regex; JavaScript's \s differs: it
// has U+FEFF and lacks U+0085). Unassigned code points are in no class ("other" to the regexes).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace llactr::llm {

// Length in bytes of the UTF-8 sequence starting with byte `lead` (1 for invalid lead bytes, so
// that malformed text is consumed one byte at a time and never lost).
int utf8_len(uint8_t lead);

// Decodes text into code points; cp_offsets[i] is the byte offset where code point i starts.
// Malformed sequences decode byte by byte as U+FFFD, still one "code point" per consumed byte.
std::vector<uint32_t> utf8_decode(std::string_view text, std::vector<size_t>* cp_offsets = nullptr);

bool is_letter(uint32_t cp);      // \p{L}
bool is_number(uint32_t cp);      // \p{N}
bool is_whitespace(uint32_t cp);  // \s
uint32_t to_lower_ascii(uint32_t cp);

// GPT-2 byte-level BPE: every byte maps to one printable code point (bytes that are printable
// Latin-1 map to themselves, the other 68 to U+0100.. in order), so any byte string becomes text.
uint32_t byte_to_unicode(uint8_t b);
int unicode_to_byte(uint32_t cp);  // -1 if cp is not in the map
std::string bytes_to_unicode_text(std::string_view bytes);
// Inverse; returns false if a code point is outside the map.
bool unicode_text_to_bytes(std::string_view text, std::string& out);

}  // namespace llactr::llm
