#include "llactr/llm/tokenizer/unicode.h"

#include <algorithm>
#include <array>

#include "llactr/data/utf8.h"

namespace llactr::llm {

namespace {

struct Range {
  uint32_t lo, hi;  // inclusive
};

// \p{L}: sorted, non-overlapping ranges (coverage listed in unicode.h).
constexpr Range kLetters[] = {
    {0x41, 0x5A},       {0x61, 0x7A},       {0xAA, 0xAA},       {0xB5, 0xB5},
    {0xBA, 0xBA},       {0xC0, 0xD6},       {0xD8, 0xF6},       {0xF8, 0x2C1},
    {0x2C6, 0x2D1},     {0x2E0, 0x2E4},     {0x2EC, 0x2EC},     {0x2EE, 0x2EE},
    {0x370, 0x374},     {0x376, 0x377},     {0x37A, 0x37D},     {0x37F, 0x37F},
    {0x386, 0x386},     {0x388, 0x3F5},     {0x3F7, 0x481},     {0x48A, 0x52F},
    {0x531, 0x556},     {0x559, 0x559},     {0x560, 0x588},     {0x5D0, 0x5EA},
    {0x5EF, 0x5F2},     {0x620, 0x64A},     {0x66E, 0x66F},     {0x671, 0x6D3},
    {0x6D5, 0x6D5},     {0x6FA, 0x6FC},     {0x904, 0x939},     {0x93D, 0x93D},
    {0x950, 0x950},     {0x958, 0x961},     {0x985, 0x9B9},     {0xA05, 0xA39},
    {0xA85, 0xAB9},     {0xB05, 0xB39},     {0xB85, 0xBB9},     {0xC05, 0xC39},
    {0xC85, 0xCB9},     {0xD05, 0xD3A},     {0xE01, 0xE30},     {0xE32, 0xE33},
    {0xE40, 0xE46},     {0x10A0, 0x10C5},   {0x10D0, 0x10FA},   {0x10FC, 0x10FF},
    {0x1100, 0x11FF},   {0x1E00, 0x1F15},   {0x1F18, 0x1FBC},   {0x1FC2, 0x1FCC},
    {0x1FD0, 0x1FDB},   {0x1FE0, 0x1FEC},   {0x1FF2, 0x1FFC},   {0x3041, 0x3096},
    {0x309D, 0x309F},   {0x30A1, 0x30FA},   {0x30FC, 0x30FF},   {0x3131, 0x318E},
    {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
    {0xFF21, 0xFF3A},   {0xFF41, 0xFF5A},   {0xFF66, 0xFFDC},   {0x20000, 0x2FA1F},
    {0x30000, 0x3134A},
};

// \p{N}: decimal digits, superscripts, fractions, roman numerals, circled numbers.
constexpr Range kNumbers[] = {
    {0x30, 0x39},     {0xB2, 0xB3},     {0xB9, 0xB9},     {0xBC, 0xBE},     {0x660, 0x669},
    {0x6F0, 0x6F9},   {0x966, 0x96F},   {0x9E6, 0x9EF},   {0xA66, 0xA6F},   {0xAE6, 0xAEF},
    {0xB66, 0xB6F},   {0xBE6, 0xBF2},   {0xC66, 0xC6F},   {0xCE6, 0xCEF},   {0xD66, 0xD6F},
    {0xE50, 0xE59},   {0x2070, 0x2070}, {0x2074, 0x2079}, {0x2080, 0x2089}, {0x2150, 0x2182},
    {0x2185, 0x2189}, {0x2460, 0x249B}, {0x24EA, 0x24FF}, {0x2776, 0x2793}, {0x3007, 0x3007},
    {0x3021, 0x3029}, {0x3038, 0x303A}, {0xFF10, 0xFF19},
};

template <size_t N>
bool in_ranges(const Range (&table)[N], uint32_t cp) {
  auto it = std::upper_bound(std::begin(table), std::end(table), cp,
                             [](uint32_t c, const Range& r) { return c < r.lo; });
  return it != std::begin(table) && cp <= (it - 1)->hi;
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

bool is_letter(uint32_t cp) { return in_ranges(kLetters, cp); }
bool is_number(uint32_t cp) { return in_ranges(kNumbers, cp); }

bool is_whitespace(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

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
  for (char c : bytes) data::append_utf8(out, byte_to_unicode(uint8_t(c)));
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
