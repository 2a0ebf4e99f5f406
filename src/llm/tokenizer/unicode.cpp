#include "llactr/llm/tokenizer/unicode.h"

#include <algorithm>
#include <array>

#include "llactr/util/utf8.h"
#include "unicode_tables.h"

namespace llactr::llm {

namespace {

// Whether cp lies in one of the table's sorted, disjoint ranges (binary search).
bool in_table(const CodepointTable& table, uint32_t cp) {
  const CodepointRange* end = table.ranges + table.size;
  const CodepointRange* it = std::upper_bound(table.ranges, end, cp,
                                              [](uint32_t c, const CodepointRange& r) { return c < r.first; });
  return it != table.ranges && cp <= (it - 1)->last;
}

// GPT-2's table: the printable Latin-1 bytes keep their code point; the rest, in byte order,
// take U+0100, U+0101, ...
struct ByteMap {
  std::array<uint32_t, 256> to_cp{};
  ByteMap() {
    uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      to_cp[b] = printable ? uint32_t(b) : next++;
    }
  }
};
const ByteMap& byte_map() {
  static const ByteMap m;
  return m;
}

}  // namespace

int utf8_len(uint8_t lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;  // continuation byte or invalid lead
}

std::vector<uint32_t> utf8_decode(std::string_view text, std::vector<size_t>* cp_offsets) {
  std::vector<uint32_t> cps;
  if (cp_offsets) cp_offsets->clear();
  size_t i = 0;
  while (i < text.size()) {
    const uint8_t lead = uint8_t(text[i]);
    int len = utf8_len(lead);
    uint32_t cp = len == 1 ? lead : (lead & (0x7F >> len));
    bool ok = len == 1 ? lead < 0x80 : i + len <= text.size();
    for (int k = 1; ok && k < len; ++k) {
      const uint8_t c = uint8_t(text[i + k]);
      ok = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (!ok) {
      cp = 0xFFFD;
      len = 1;
    }
    if (cp_offsets) cp_offsets->push_back(i);
    cps.push_back(cp);
    i += len;
  }
  return cps;
}

bool is_letter(uint32_t cp) { return in_table(kLetterTable, cp); }
bool is_number(uint32_t cp) { return in_table(kNumberTable, cp); }
bool is_whitespace(uint32_t cp) { return in_table(kWhiteSpaceTable, cp); }

uint32_t to_lower_ascii(uint32_t cp) { return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp; }

uint32_t byte_to_unicode(uint8_t b) { return byte_map().to_cp[b]; }

int unicode_to_byte(uint32_t cp) {
  if (cp < 256 && byte_map().to_cp[cp] == cp) return int(cp);
  if (cp >= 256 && cp < 256 + 68) {
    for (int b = 0; b < 256; ++b)
      if (byte_map().to_cp[b] == cp) return b;
  }
  return -1;
}

std::string bytes_to_unicode_text(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) append_utf8(out, byte_to_unicode(uint8_t(c)));
  return out;
}

bool unicode_text_to_bytes(std::string_view text, std::string& out) {
  for (uint32_t cp : utf8_decode(text)) {
    const int b = unicode_to_byte(cp);
    if (b < 0) return false;
    out += char(b);
  }
  return true;
}

}  // namespace llactr::llm
