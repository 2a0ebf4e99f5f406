// The WordNet reader on small data files the tests write (offsets computed as the format asks),
// its malformed-line errors, the hypernym graph and the probe categories; one test reads the
// installed WordNet 3.0 when it is there.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "data_fixtures.h"
#include "llactr/data/wordnet.h"

using namespace llactr::data;
using llactr::testing::TempDir;
using llactr::testing::error_of;
using llactr::testing::write_file;

namespace {

// A data file: two license lines, then each line with "%08u" replaced by its own byte offset, and
// every "@<k>" (k = 0-based index of another line) by "@ <that line's offset>".
std::string data_file(const std::vector<std::string>& lines, std::vector<uint32_t>* offsets = nullptr) {
  const std::string header = "  1 This software and database is being provided\n  2 to you, the LICENSEE\n";
  std::vector<uint32_t> off;
  size_t pos = header.size();
  for (const std::string& l : lines) {  // every placeholder is as wide as what replaces it
    off.push_back(uint32_t(pos));
    pos += l.size() + 1;
  }
  std::string text = header;
  for (const std::string& l : lines) {
    std::string s = l;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08u", off[&l - &lines[0]]);
    if (s.find("OFFSETXX") != std::string::npos) s.replace(s.find("OFFSETXX"), 8, buf);
    for (size_t at; (at = s.find("TARGET")) != std::string::npos;) {
      std::snprintf(buf, sizeof buf, "%08u", off[size_t(s[at + 6] - '0')]);
      s.replace(at, 8, buf);  // "TARGETk_" is 8 characters
    }
    text += s + "\n";
  }
  if (offsets) *offsets = off;
  return text;
}

// entity <- instrument <- {cello, flute <- piccolo}; entity <- dog <- {poodle, Lassie (instance)}.
const std::vector<std::string> kNouns = {
    "OFFSETXX 03 n 01 entity 0 000 | that which exists  ",
    "OFFSETXX 06 n 02 musical_instrument 0 instrument 0 001 @ TARGET0_ n 0000 | a device that makes music  ",
    "OFFSETXX 06 n 02 cello 0 violoncello 0 002 @ TARGET1_ n 0000 + 09903501 n 0101 | a large stringed instrument; "
    "seated player holds it upright while playing  ",
    "OFFSETXX 06 n 01 flute 0 001 @ TARGET1_ n 0000 | a high woodwind; \"she played the flute\"; \"a flute; solo\"  ",
    "OFFSETXX 06 n 02 piccolo 0 flute 1 001 @ TARGET3_ n 0000 | a small flute  ",
    "OFFSETXX 05 n 01 dog 0 001 @ TARGET0_ n 0000 | a domestic canine  ",
    "OFFSETXX 05 n 02 poodle 0 poodle_dog 0 001 @ TARGET5_ n 0000 | a breed of dog  ",
    "OFFSETXX 18 n 01 Lassie 0 001 @i TARGET5_ n 0000 | a famous collie  ",
};

}  // namespace

TEST(WordnetReader, ParsesSynsetsLemmasGlossesAndHypernyms) {
  std::vector<uint32_t> off;
  const std::string text = data_file(kNouns, &off);
  const std::vector<Synset> s = parse_wordnet_data(text, "data.noun", "noun");
  ASSERT_EQ(s.size(), 8u);
  EXPECT_EQ(s[0].offset, off[0]);
  EXPECT_EQ(s[0].offset, 74u);  // the two license lines are 74 bytes
  EXPECT_TRUE(s[0].hypernyms.empty());
  EXPECT_EQ(s[1].lemmas, (std::vector<std::string>{"musical instrument", "instrument"}));
  EXPECT_EQ(s[2].definition, "a large stringed instrument; seated player holds it upright while playing");
  EXPECT_TRUE(s[2].examples.empty());
  EXPECT_EQ(s[2].hypernyms, std::vector<uint32_t>{off[1]});  // the '+' pointer is not a hypernym
  EXPECT_EQ(s[3].definition, "a high woodwind");
  EXPECT_EQ(s[3].examples, (std::vector<std::string>{"she played the flute", "a flute; solo"}));
  EXPECT_EQ(s[7].pos, 'n');
  EXPECT_EQ(s[7].hypernyms, std::vector<uint32_t>{off[5]});  // '@i' counts
  EXPECT_TRUE(s[7].instance);
  EXPECT_FALSE(s[6].instance);
}

TEST(WordnetReader, VerbFramesAndAdjectiveMarkers) {
  const std::string verbs = data_file({
      "OFFSETXX 29 v 01 breathe 0 000 01 + 02 00 | draw air into, and expel out of, the lungs; \"I can breathe\"  ",
      "OFFSETXX 29 v 01 respire 1 001 @ TARGET0_ v 0000 02 + 02 00 + 08 01 | undergo respiration  "});
  const std::vector<Synset> v = parse_wordnet_data(verbs, "data.verb", "verb");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].definition, "draw air into, and expel out of, the lungs");
  EXPECT_EQ(v[1].hypernyms, std::vector<uint32_t>{v[0].offset});
  const std::string adj = data_file({"OFFSETXX 00 s 02 handy 0 ready_to_hand(p) 0 000 | easy to reach  "});
  const std::vector<Synset> a = parse_wordnet_data(adj, "data.adj", "adj");
  EXPECT_EQ(a[0].pos, 's');
  EXPECT_EQ(a[0].lemmas, (std::vector<std::string>{"handy", "ready to hand"}));
}

TEST(WordnetReader, MalformedLinesNameFileLineAndReason) {
  auto err = [](const std::vector<std::string>& lines, const char* pos = "noun") {
    return error_of([&] { parse_wordnet_data(data_file(lines), "data.noun", pos); });
  };
  // Line 3: the first synset line after two license lines.
  EXPECT_NE(err({"OFFSETXX 03 n 01 entity 0 000 that which exists"}).find("data.noun:3: no ' | ' before the gloss"),
            std::string::npos);
  EXPECT_NE(err({"OFFSETXX 03 n 01 entity 0 000 | x", "00000001 03 n 01 thing 0 000 | y"})
                .find("data.noun:4: synset_offset 1 is not the line's byte offset"),
            std::string::npos);
  EXPECT_NE(err({"OFFSETXX 03 n 0g entity 0 000 | x"}).find("data.noun:3: w_cnt '0g' is not a 2-digit hexadecimal"),
            std::string::npos);
  EXPECT_NE(err({"OFFSETXX 03 n 02 entity 0 000 | x"}).find("data.noun:3: line ends before lex_id"),
            std::string::npos);
  EXPECT_NE(err({"OFFSETXX 03 n 01 entity 0 002 @ 00000074 n 0000 | x"}).find("line ends before a pointer symbol"),
            std::string::npos);
  EXPECT_NE(err({"OFFSETXX 03 v 01 entity 0 000 | x"}).find("ss_type 'v' does not belong"), std::string::npos);
  EXPECT_NE(err({"OFFSETXX 03 n 01 entity 0 000 extra | x"}).find("unexpected fields before the gloss"),
            std::string::npos);
  EXPECT_NE(err({"OFFSETXX 03 n 01 entity 0 001 @ 00099999 n 0000 | x"})
                .find("data.noun: synset 74 has hypernym 99999, which is not a synset of this file"),
            std::string::npos);
  EXPECT_NE(err({"OFFSETXX 29 v 01 go 0 000 | x"}, "verb").find("f_cnt"), std::string::npos);
  EXPECT_NE(error_of([] { parse_wordnet_data("", "x", "nouns"); }).find("not one of noun, verb, adj, adv"),
            std::string::npos);
}

TEST(WordnetReader, MissingWordnetSaysHowToInstallIt) {
  TempDir dir;
  const std::string e = error_of([&] { read_wordnet_data(dir.str(), "noun"); });
  EXPECT_NE(e.find("data.noun"), std::string::npos) << e;
  EXPECT_NE(e.find("apt-get install wordnet-base"), std::string::npos) << e;
  EXPECT_NE(e.find("make data-knowledge"), std::string::npos) << e;
}

TEST(WordnetReader, HypernymChainSubtreeAndSingleWordMembers) {
  std::vector<uint32_t> off;
  const SynsetGraph g(parse_wordnet_data(data_file(kNouns, &off), "data.noun", "noun"));
  EXPECT_EQ(g.hypernym_chain(off[4]), (std::vector<uint32_t>{off[3], off[1], off[0]}));  // piccolo
  EXPECT_TRUE(g.hypernym_chain(off[0]).empty());
  EXPECT_EQ(g.subtree(off[1]), (std::vector<uint32_t>{off[2], off[3], off[4]}));
  EXPECT_EQ(g.subtree(off[5]), (std::vector<uint32_t>{off[6], off[7]}));
  // "flute" twice (flute, piccolo's second lemma) counts once; the category's own lemmas are not
  // members; "poodle dog" has a space and "Lassie" is an instance.
  EXPECT_EQ(g.single_word_members(off[1]), (std::vector<std::string>{"cello", "flute", "piccolo", "violoncello"}));
  EXPECT_EQ(g.single_word_members(off[5]), (std::vector<std::string>{"poodle"}));
  EXPECT_THROW(g.at(12345), std::out_of_range);
  EXPECT_FALSE(is_single_word("t-shirt"));
  EXPECT_TRUE(is_single_word("cello"));
  EXPECT_TRUE(is_single_word("Dalmatian"));
  EXPECT_FALSE(is_single_word("caf\xC3\xA9"));
}

// WordNet 3.0 as Debian's wordnet-base installs it.
TEST(WordnetReader, InstalledWordnet30) {
  const std::string dir = "/usr/share/wordnet";
  if (!std::filesystem::exists(dir + "/data.noun"))
    GTEST_SKIP() << "WordNet is not installed in " << dir << ": apt-get install wordnet-base (or make data-knowledge)";
  const std::vector<Synset> nouns = read_wordnet_data(dir, "noun");
  EXPECT_EQ(nouns.size(), 82115u);  // WordNet 3.0's noun synsets (its documentation's count)
  EXPECT_EQ(read_wordnet_data(dir, "verb").size(), 13767u);
  EXPECT_EQ(read_wordnet_data(dir, "adj").size(), 18156u);
  EXPECT_EQ(read_wordnet_data(dir, "adv").size(), 3621u);
  const SynsetGraph g(nouns);
  const Synset& cello = g.at(2992211);
  EXPECT_EQ(cello.lemmas, (std::vector<std::string>{"cello", "violoncello"}));
  EXPECT_EQ(cello.definition, "a large stringed instrument; seated player holds it upright while playing");
  const std::vector<uint32_t> chain = g.hypernym_chain(2992211);
  ASSERT_GE(chain.size(), 3u);
  EXPECT_EQ(g.at(chain[0]).lemmas.front(), "bowed stringed instrument");
  EXPECT_EQ(g.at(chain[1]).lemmas.front(), "stringed instrument");
  EXPECT_EQ(g.at(chain[2]).lemmas.front(), "musical instrument");
  EXPECT_EQ(chain.back(), 1740u);  // entity
  const std::vector<Category> cats = choose_probe_categories(g);
  ASSERT_GE(cats.size(), 12u);
  std::map<std::string, int> seen;
  for (const Category& c : cats) {
    EXPECT_GE(c.words.size(), 80u) << c.spec.name;
    for (const std::string& w : c.words) EXPECT_EQ(seen[w]++, 0) << w << " is in two categories";
    std::printf("  %-24s %zu words\n", c.spec.name.c_str(), c.words.size());
  }
  EXPECT_EQ(cats[0].spec.name, "musical_instrument.n.01");
  EXPECT_TRUE(std::binary_search(cats[0].words.begin(), cats[0].words.end(), "cello"));
}
