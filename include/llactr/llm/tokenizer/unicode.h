// The little Unicode the tokenizers need: UTF-8 <-> code points, the three character classes the
// pre-tokenizer regexes use (\p{L}, \p{N}, \s), and GPT-2's byte <-> printable-character map.
//
// Coverage of the category tables (src/llm/unicode.cpp): \s is exact (the 25 White_Space code
// points). \p{L} and \p{N} are compact range tables covering Latin (incl. Latin-1, Extended-A/B,
// IPA, Extended Additional), Greek, Cyrillic, Armenian, Hebrew, Arabic, Devanagari..Malayalam
// letters, Thai, Georgian, Hangul, Hiragana, Katakana, CJK (BMP and planes 2-3), fullwidth forms,
// and the decimal digits / superscripts / fractions / circled numbers of those scripts. Code points
// outside the tables (rare scripts, combining marks) count as "other" (neither letter nor number),
// which only changes where a pre-tokenizer splits, never which bytes are kept.
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

bool is_letter(uint32_t cp);      // \p{L} (see coverage above)
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
