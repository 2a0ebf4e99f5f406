// The knowledge corpus: its line forms, the movie lines read from written CSV fixtures, the
// control pairing, and the whole corpus on the installed WordNet 3.0 when it is there.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "data_fixtures.h"
#include "llactr/data/knowledge_corpus.h"
#include "llactr/data/line_parsing.h"

using namespace llactr::data;
using llactr::testing::TempDir;
using llactr::testing::error_of;
using llactr::testing::write_file;

namespace {

// CRLF line ends and quoted titles with commas, as ml-latest-small's files.
void write_movies(const std::string& dir) {
  write_file(dir + "/movies.csv",
             "movieId,title,genres\r\n"
             "1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\r\n"
             "2,\"American President, The (1995)\",Comedy|Drama|Romance\r\n"
             "3,Nothing (2003),(no genres listed)\r\n");
  write_file(dir + "/tags.csv",
             "userId,movieId,tag,timestamp\r\n"
             "336,1,pixar,1139045764\r\n"
             "474,1,Pixar,1137206825\r\n"
             "567,1,fun,1525286013\r\n"
             "474,2,\"politics, US\",1137374904\r\n"
             "474,99,orphan tag,1137374904\r\n");
}

}  // namespace

TEST(KnowledgeCorpusReader, GlossAndChainLines) {
  Synset cello;
  cello.lemmas = {"cello", "violoncello"};
  cello.definition = "a large stringed instrument; seated player holds it upright while playing";
  EXPECT_EQ(gloss_line(cello.lemmas, cello),
            "cello, violoncello: a large stringed instrument; seated player holds it upright while playing.");
  Synset flute;
  flute.lemmas = {"flute"};
  flute.definition = "a high woodwind";
  flute.examples = {"she played the flute"};
  EXPECT_EQ(gloss_line(flute.lemmas, flute), "flute: a high woodwind; \"she played the flute\".");

  std::vector<Synset> s(3);
  s[0].offset = 10, s[0].lemmas = {"entity"};
  s[1].offset = 20, s[1].lemmas = {"instrument"}, s[1].hypernyms = {10};
  s[2].offset = 30, s[2].lemmas = {"cello"}, s[2].hypernyms = {20};
  const SynsetGraph g(s);
  EXPECT_EQ(chain_line("cello", g, g.hypernym_chain(30)), "cello is an instrument, an entity.");
}

TEST(KnowledgeCorpusReader, MovieLinesFromTagsAndGenresWithoutUsers) {
  TempDir dir;
  write_movies(dir.str());
  const std::vector<std::string> lines = movie_lines(dir.str(), false, 1);
  // Genre lines by movie id (none for "(no genres listed)"), then tag lines; "pixar" twice (any
  // case) comes first with its first spelling; a tag of an unknown movie is dropped.
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "Toy Story (1995) is an adventure, animation, children, comedy and fantasy film.",
                       "American President, The (1995) is a comedy, drama and romance film.",
                       "Toy Story (1995) is tagged pixar, fun.",
                       "American President, The (1995) is tagged politics, US.",
                   }));
  for (const std::string& l : lines) {
    EXPECT_EQ(l.find("336"), std::string::npos) << "a user id leaked: " << l;
    EXPECT_EQ(l.find("113"), std::string::npos) << "a timestamp leaked: " << l;
  }
  // The control pairs each title with another movie's tags (a seeded permutation of two).
  std::set<std::string> control;
  for (uint64_t seed = 1; seed <= 8; ++seed)
    for (const std::string& l : movie_lines(dir.str(), true, seed)) control.insert(l);
  EXPECT_TRUE(control.count("Toy Story (1995) is tagged politics, US.")) << "no seed swapped the tags";
  // Only the listed movies' lines (a title movies.csv lacks is ignored); the control scrambles among them.
  const std::vector<std::string> toy = {"Toy Story (1995) is an adventure, animation, children, comedy and fantasy film.",
                                        "Toy Story (1995) is tagged pixar, fun."};
  EXPECT_EQ(movie_lines(dir.str(), false, 1, {"Toy Story (1995)", "Heat (1995)"}), toy);
  for (uint64_t seed = 1; seed <= 8; ++seed) EXPECT_EQ(movie_lines(dir.str(), true, seed, {"Toy Story (1995)"}), toy);
  EXPECT_NE(error_of([&] { movie_lines(dir.str(), false, 1, {"Heat (1995)"}); }).find("none of the 1 movie titles"),
            std::string::npos);
}

TEST(KnowledgeCorpusReader, MalformedMovieFilesAreClearErrors) {
  TempDir dir;
  write_movies(dir.str());
  write_file(dir.file("tags.csv"), "userId,movieId,tag,timestamp\r\n1,x,fun,5\r\n");
  EXPECT_NE(error_of([&] { movie_lines(dir.str(), false, 1); }).find("tags.csv:2: movieId is not an integer"),
            std::string::npos);
  write_file(dir.file("tags.csv"), "user,movie,tag\r\n");
  EXPECT_NE(error_of([&] { movie_lines(dir.str(), false, 1); }).find("tags.csv:1: the header is not"), std::string::npos);
  write_file(dir.file("movies.csv"), "movieId,title,genres\r\n1,Toy Story\r\n");
  EXPECT_NE(error_of([&] { movie_lines(dir.str(), false, 1); }).find("movies.csv:2: 2 cells, not 3"), std::string::npos);
  EXPECT_NE(error_of([&] { movie_lines(dir.str() + "/none", false, 1); }).find("make data-knowledge"), std::string::npos);
  EXPECT_THROW(knowledge_form_from_name("chains"), std::invalid_argument);
}

// Not a parser test (its suite name keeps it out of the slow sanitizer build): six whole corpora.
TEST(KnowledgeCorpus, InstalledWordnetCorpusIsDeterministicAndScrambledInControl) {
  const std::string dir = "/usr/share/wordnet";
  if (!std::filesystem::exists(dir + "/data.noun"))
    GTEST_SKIP() << "WordNet is not installed in " << dir << ": apt-get install wordnet-base (or make data-knowledge)";
  KnowledgeCorpusOptions o;
  o.wordnet_dir = dir;
  const KnowledgeCorpus a = make_knowledge_corpus(o);
  EXPECT_EQ(a.gloss_lines, 82115u);
  EXPECT_EQ(a.lines.size(), a.gloss_lines + a.chain_lines);
  EXPECT_EQ(a.movie_lines, 0u);
  EXPECT_GE(a.categories.size(), 12u);
  EXPECT_EQ(make_knowledge_corpus(o).lines, a.lines);  // same seed, same order
  const std::string cello_gloss =
      "cello, violoncello: a large stringed instrument; seated player holds it upright while playing.";
  const std::string cello_chain = "cello is a bowed stringed instrument, a stringed instrument, a musical instrument, "
                                  "a device, an instrumentality, an artifact, a whole, an object, a physical entity, an entity.";
  EXPECT_NE(std::find(a.lines.begin(), a.lines.end(), cello_gloss), a.lines.end());
  EXPECT_NE(std::find(a.lines.begin(), a.lines.end(), cello_chain), a.lines.end());

  o.seed = 2;
  const KnowledgeCorpus b = make_knowledge_corpus(o);
  EXPECT_NE(b.lines, a.lines);
  std::vector<std::string> sa = a.lines, sb = b.lines;
  std::sort(sa.begin(), sa.end());
  std::sort(sb.begin(), sb.end());
  EXPECT_EQ(sa, sb);  // another order of the same lines

  o.control = true;
  const KnowledgeCorpus c = make_knowledge_corpus(o);
  EXPECT_EQ(c.gloss_lines, 82115u);
  EXPECT_EQ(std::find(c.lines.begin(), c.lines.end(), cello_gloss), c.lines.end());
  size_t cello_lines = 0;  // the subject stays: a gloss line and a chain line per lemma
  for (const std::string& l : c.lines) cello_lines += l.rfind("cello, violoncello: ", 0) == 0 || l.rfind("cello is ", 0) == 0;
  EXPECT_EQ(cello_lines, 2u);

  o.control = false;
  o.scope = KnowledgeScope::Categories;  // only the probe categories' subtrees
  const KnowledgeCorpus d = make_knowledge_corpus(o);
  EXPECT_NE(std::find(d.lines.begin(), d.lines.end(), cello_gloss), d.lines.end());
  EXPECT_NE(std::find(d.lines.begin(), d.lines.end(), cello_chain), d.lines.end());
  const std::string dogma_chain = "dogma is a doctrine, a belief, a content, a cognition, a psychological feature, "
                                  "an abstraction, an entity.";
  EXPECT_NE(std::find(a.lines.begin(), a.lines.end(), dogma_chain), a.lines.end());
  EXPECT_EQ(std::find(d.lines.begin(), d.lines.end(), dogma_chain), d.lines.end());  // no category's kind
  EXPECT_LT(d.gloss_lines * 5, a.gloss_lines);
  EXPECT_EQ(d.lines.size(), d.gloss_lines + d.chain_lines);
  std::set<std::string> subjects;  // every category word is a gloss line's lemma (chains: 2 lemmas only)
  for (const std::string& l : d.lines)
    if (size_t colon = l.find(": "); colon != std::string::npos)
      for (std::string_view lemma : split(std::string_view(l).substr(0, colon), ", ")) subjects.insert(std::string(lemma));
  for (const Category& cat : d.categories)
    for (const std::string& w : cat.words) EXPECT_TRUE(subjects.count(w)) << w;
  o.control = true;  // scrambled within the scope: the same subjects
  const KnowledgeCorpus e = make_knowledge_corpus(o);
  EXPECT_EQ(e.gloss_lines, d.gloss_lines);
  EXPECT_EQ(std::find(e.lines.begin(), e.lines.end(), cello_gloss), e.lines.end());
  EXPECT_EQ(knowledge_scope_from_name("categories"), KnowledgeScope::Categories);
  EXPECT_THROW(knowledge_scope_from_name("some"), std::invalid_argument);

  o.control = false;
  o.scope = KnowledgeScope::All;
  o.form = KnowledgeForm::Gloss;
  EXPECT_EQ(make_knowledge_corpus(o).lines.size(), 82115u);
  o.parts_of_speech = {"noun", "verb"};
  EXPECT_EQ(make_knowledge_corpus(o).lines.size(), 82115u + 13767u);
  o.parts_of_speech = {"verb"};
  EXPECT_NE(error_of([&] { make_knowledge_corpus(o); }).find("must include noun"), std::string::npos);
}

TEST(KnowledgeCorpus, MoviesScopeIsTheMovieLinesAlone) {
  const std::string dir = "/usr/share/wordnet";
  if (!std::filesystem::exists(dir + "/data.noun"))
    GTEST_SKIP() << "WordNet is not installed in " << dir << ": apt-get install wordnet-base (or make data-knowledge)";
  TempDir movies;
  write_movies(movies.str());
  KnowledgeCorpusOptions o;
  o.wordnet_dir = dir;
  o.scope = knowledge_scope_from_name("movies");
  o.parts_of_speech = {"noun", "verb"};  // no WordNet line of any part of speech
  EXPECT_NE(error_of([&] { make_knowledge_corpus(o); }).find("--scope movies needs --movies-dir"), std::string::npos);
  o.movies_dir = movies.str();
  const KnowledgeCorpus k = make_knowledge_corpus(o);
  std::vector<std::string> got = k.lines, want = movie_lines(movies.str(), false, o.seed);
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(k.gloss_lines + k.chain_lines, 0u);
  EXPECT_EQ(k.movie_lines, 4u);
  EXPECT_GE(k.categories.size(), 12u);  // the probe categories are still chosen (the probe reads them)
}
