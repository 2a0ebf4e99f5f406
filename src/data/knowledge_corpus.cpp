#include "llactr/data/knowledge_corpus.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <stdexcept>

#include "llactr/data/csv_reader.h"
#include "llactr/data/line_parsing.h"
#include "llactr/tensor/shuffle.h"
#include "llactr/util/utf8.h"

namespace llactr::data {

namespace {

// "a" or "an" before a word, by its first letter.
const char* article(const std::string& word) {
  const char c = word.empty() ? 'x' : char(std::tolower(static_cast<unsigned char>(word[0])));
  return std::string("aeiou").find(c) != std::string::npos ? "an" : "a";
}

std::string join(const std::vector<std::string>& items, const std::string& sep, const std::string& last_sep) {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i) s += (i == 0 ? "" : i + 1 == items.size() ? last_sep : sep) + items[i];
  return s;
}

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A permutation of 0..n-1 from the seed (identity when !control).
std::vector<size_t> partner(size_t n, bool control, std::mt19937_64& rng) {
  std::vector<size_t> p(n);
  std::iota(p.begin(), p.end(), 0);
  if (control) seeded_shuffle(p, rng);
  return p;
}

// Rows of a MovieLens CSV after its header, which must be `header`.
void for_each_csv_row(const std::string& path, const std::string& header,
                      const std::function<void(const std::vector<std::string>&)>& row) {
  const std::string text =
      read_text_file(path, "MovieLens latest-small: run `make data-knowledge` (scripts/fetch-data.sh ml-latest-small)");
  SkippedLines strict;
  bool first = true;
  for_each_line(text, path, strict, [&](std::string_view line) {
    if (first) {
      first = false;
      if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
      if (line != header) throw BadLine("the header is not '" + header + "'");
      return;
    }
    std::vector<std::string> cells = split_csv_line(line, ',');
    const size_t want = size_t(std::count(header.begin(), header.end(), ',') + 1);
    if (cells.size() != want)
      throw BadLine(std::to_string(cells.size()) + " cells, not " + std::to_string(want));
    for (std::string& c : cells) c = repair_utf8(c);
    row(cells);
  });
}

}  // namespace

KnowledgeForm knowledge_form_from_name(const std::string& name) {
  if (name == "gloss") return KnowledgeForm::Gloss;
  if (name == "chain") return KnowledgeForm::Chain;
  if (name == "both") return KnowledgeForm::Both;
  throw std::invalid_argument("--form '" + name + "' is not one of gloss, chain, both");
}

KnowledgeScope knowledge_scope_from_name(const std::string& name) {
  if (name == "all") return KnowledgeScope::All;
  if (name == "categories") return KnowledgeScope::Categories;
  if (name == "movies") return KnowledgeScope::Movies;
  throw std::invalid_argument("--scope '" + name + "' is not one of all, categories, movies");
}

std::string gloss_line(const std::vector<std::string>& lemmas, const Synset& gloss_of) {
  std::string s = join(lemmas, ", ", ", ") + ": " + gloss_of.definition;
  for (const std::string& e : gloss_of.examples) s += "; \"" + e + "\"";
  const char end = s.back();
  if (end != '.' && end != '?' && end != '!') s += '.';
  return s;
}

std::string chain_line(const std::string& lemma, const SynsetGraph& nouns, const std::vector<uint32_t>& chain) {
  std::vector<std::string> kinds;
  for (uint32_t o : chain) {
    const std::string& k = nouns.at(o).lemmas.front();
    kinds.push_back(std::string(article(k)) + " " + k);
  }
  return lemma + " is " + join(kinds, ", ", ", ") + ".";
}

std::vector<std::string> movie_lines(const std::string& movies_dir, bool control, uint64_t seed,
                                     const std::vector<std::string>& titles) {
  struct Movie {
    std::string title;
    std::vector<std::string> genres;
  };
  std::map<int64_t, Movie> movies;
  for_each_csv_row(movies_dir + "/movies.csv", "movieId,title,genres", [&](const std::vector<std::string>& c) {
    Movie m{c[1], {}};
    if (c[2] != "(no genres listed)")
      for (std::string_view g : split(c[2], "|")) m.genres.push_back(g == "IMAX" ? "IMAX" : lower(std::string(g)));
    movies[parse_int(c[0], "movieId")] = std::move(m);
  });
  if (!titles.empty()) {
    const std::set<std::string> keep(titles.begin(), titles.end());
    for (auto m = movies.begin(); m != movies.end();) m = keep.count(m->second.title) ? std::next(m) : movies.erase(m);
    if (movies.empty())
      throw std::invalid_argument("none of the " + std::to_string(keep.size()) + " movie titles is in " + movies_dir +
                                  "/movies.csv (titles are matched exactly, e.g. 'Toy Story (1995)')");
  }

  // movie -> (lower-case tag -> (count, first position, first spelling)). The user id is not read.
  struct Tag {
    int64_t count = 0;
    size_t first = 0;
    std::string text;
  };
  std::map<int64_t, std::map<std::string, Tag>> tags;
  size_t position = 0;
  for_each_csv_row(movies_dir + "/tags.csv", "userId,movieId,tag,timestamp", [&](const std::vector<std::string>& c) {
    const std::string text(trim(c[2]));
    if (text.empty()) return;
    Tag& t = tags[parse_int(c[1], "movieId")][lower(text)];
    if (t.count++ == 0) t.first = position, t.text = text;
    ++position;
  });

  std::mt19937_64 rng(seed ^ 0x6d6f76696573ULL);  // "movies": its own stream, apart from the synsets'
  std::vector<std::string> lines;
  std::vector<const Movie*> with_genres;
  for (const auto& [id, m] : movies)
    if (!m.genres.empty()) with_genres.push_back(&m);
  const std::vector<size_t> gp = partner(with_genres.size(), control, rng);
  for (size_t i = 0; i < with_genres.size(); ++i) {
    const std::vector<std::string>& g = with_genres[gp[i]]->genres;
    lines.push_back(with_genres[i]->title + " is " + article(g[0]) + " " + join(g, ", ", " and ") + " film.");
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> tagged;  // title, tags in order
  for (const auto& [id, by_name] : tags) {
    auto m = movies.find(id);
    if (m == movies.end()) continue;  // a tag of a movie movies.csv does not list
    std::vector<const Tag*> order;
    for (const auto& [name, t] : by_name) order.push_back(&t);
    std::sort(order.begin(), order.end(),
              [](const Tag* a, const Tag* b) { return a->count > b->count || (a->count == b->count && a->first < b->first); });
    std::vector<std::string> texts;
    for (const Tag* t : order) texts.push_back(t->text);
    tagged.emplace_back(m->second.title, std::move(texts));
  }
  const std::vector<size_t> tp = partner(tagged.size(), control, rng);
  for (size_t i = 0; i < tagged.size(); ++i)
    lines.push_back(tagged[i].first + " is tagged " + join(tagged[tp[i]].second, ", ", ", ") + ".");
  return lines;
}

KnowledgeCorpus make_knowledge_corpus(const KnowledgeCorpusOptions& o) {
  for (const std::string& pos : o.parts_of_speech)
    if (!is_wordnet_pos(pos)) throw std::invalid_argument("--pos '" + pos + "' is not one of noun, verb, adj, adv");
  if (std::find(o.parts_of_speech.begin(), o.parts_of_speech.end(), "noun") == o.parts_of_speech.end())
    throw std::invalid_argument("--pos must include noun: the chain lines and the probe categories are nouns");
  if (o.scope == KnowledgeScope::Movies && o.movies_dir.empty())
    throw std::invalid_argument("--scope movies needs --movies-dir (ml-latest-small's folder): its lines are the movie lines");
  KnowledgeCorpus k;
  std::mt19937_64 rng(o.seed);
  const SynsetGraph nouns(read_wordnet_data(o.wordnet_dir, "noun"));
  k.categories = choose_probe_categories(nouns);

  // The synsets that give lines (pointers into the graph), in the graph's order.
  std::vector<const Synset*> ns;
  if (o.scope == KnowledgeScope::All) {
    for (const Synset& s : nouns.synsets()) ns.push_back(&s);
  } else if (o.scope == KnowledgeScope::Categories) {
    std::vector<uint32_t> offsets;
    for (const Category& c : k.categories) {
      offsets.push_back(c.spec.offset);
      for (uint32_t x : nouns.subtree(c.spec.offset)) offsets.push_back(x);
    }
    std::sort(offsets.begin(), offsets.end());
    offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
    for (const Synset& s : nouns.synsets())
      if (std::binary_search(offsets.begin(), offsets.end(), s.offset)) ns.push_back(&s);
  }
  const std::vector<size_t> np = partner(ns.size(), o.control, rng);
  for (size_t i = 0; i < ns.size(); ++i) {
    const Synset& self = *ns[i];
    const Synset& other = *ns[np[i]];
    if (o.form != KnowledgeForm::Chain) {
      k.lines.push_back(gloss_line(self.lemmas, other));
      ++k.gloss_lines;
    }
    if (o.form == KnowledgeForm::Gloss || other.hypernyms.empty()) continue;
    const std::vector<uint32_t> chain = nouns.hypernym_chain(other.offset);
    for (size_t l = 0; l < std::min<size_t>(2, self.lemmas.size()); ++l) {
      k.lines.push_back(chain_line(self.lemmas[l], nouns, chain));
      ++k.chain_lines;
    }
  }
  for (const std::string& pos : o.parts_of_speech) {
    if (pos == "noun" || o.scope == KnowledgeScope::Movies) continue;
    const std::vector<Synset> ss = read_wordnet_data(o.wordnet_dir, pos);
    const std::vector<size_t> p = partner(ss.size(), o.control, rng);
    for (size_t i = 0; i < ss.size(); ++i) k.lines.push_back(gloss_line(ss[i].lemmas, ss[p[i]]));
    k.gloss_lines += ss.size();
  }
  if (!o.movies_dir.empty()) {
    std::vector<std::string> m = movie_lines(o.movies_dir, o.control, o.seed, o.movie_titles);
    k.movie_lines = m.size();
    for (std::string& l : m) k.lines.push_back(std::move(l));
  }
  seeded_shuffle(k.lines, rng);
  return k;
}

}  // namespace llactr::data
