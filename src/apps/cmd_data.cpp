// ./llactr data stats: load a dataset (through the cache) and print its counts and fields.
// ./llactr data make-knowledge-corpus: write the WordNet + MovieLens-tags text corpus (and its
// probe categories) that `llactr pretrain` and `llactr tokenizer train` read.
// ./llactr data make-knowledge-clicks: write the knowledge-clicks benchmark (data/knowledge_clicks.h).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

#include "llactr/apps/args.h"
#include "llactr/apps/commands.h"
#include "llactr/apps/options.h"
#include "llactr/data/dataset.h"
#include "llactr/data/dataset_stats.h"
#include "llactr/data/knowledge_clicks.h"
#include "llactr/data/knowledge_corpus.h"
#include "llactr/data/line_parsing.h"
#include "llactr/data/word_categories.h"
#include "llactr/util/clock.h"
#include "llactr/util/json.h"

namespace llactr {
namespace {

// At most max_bytes of s, cut at a character boundary so the text stays valid UTF-8.
std::string utf8_prefix(const std::string& s, size_t max_bytes) {
  size_t n = std::min(max_bytes, s.size());
  while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

void print_text(const data::DataOptions& o, const data::Dataset& d, const data::DatasetStats& s, double seconds) {
  std::printf("dataset    %s  %s\n", data::data_format_name(o.format), o.dir.c_str());
  std::printf("loaded     %.3f s (%s)%s%s\n", seconds, d.from_cache ? "from cache" : "parsed and encoded",
              d.cache_file.empty() ? "" : "  cache ", d.cache_file.c_str());
  if (d.skipped_lines) std::printf("skipped    %zu malformed lines; first: %s\n", d.skipped_lines, d.first_skipped_line.c_str());
  std::printf("samples    %zu  positive %zu (%.2f%%)\n", s.samples, s.positives, 100.0 * double(s.positives) / double(s.samples));
  std::printf("split      train %zu  valid %zu  test %zu  (%s)\n", s.train, s.valid, s.test,
              data::split_mode_name(o.split));
  std::printf("vocabulary %d ids over %zu fields (min count %lld; id 0 of each field is OOV)\n\n", s.total_vocab,
              s.fields.size(), static_cast<long long>(o.min_count));
  std::printf("%-3s %-16s %8s %9s %9s  %s\n", "#", "field", "vocab", "OOV valid", "OOV test", "top values in train (count)");
  for (size_t k = 0; k < s.fields.size(); ++k) {
    const auto& f = s.fields[k];
    std::string top;
    for (const auto& [text, count] : f.top_values) {
      std::string t = text.size() > 40 ? utf8_prefix(text, 37) + "..." : text;
      top += (top.empty() ? "" : ", ") + t + " (" + std::to_string(count) + ")";
    }
    std::printf("%-3zu %-16s %8d %8.2f%% %8.2f%%  %s\n", k, f.name.c_str(), f.vocab_size, 100 * f.oov_rate_valid,
                100 * f.oov_rate_test, top.c_str());
    std::printf("    %s\n", f.description.c_str());
  }
}

void print_json(const data::DataOptions& o, const data::Dataset& d, const data::DatasetStats& s, double seconds) {
  std::printf("{\n  \"format\": %s,\n  \"dir\": %s,\n", json_quote(data::data_format_name(o.format)).c_str(), json_quote(o.dir).c_str());
  std::printf("  \"load_seconds\": %.4f,\n  \"from_cache\": %s,\n  \"skipped_lines\": %zu,\n", seconds,
              d.from_cache ? "true" : "false", d.skipped_lines);
  std::printf("  \"samples\": %zu,\n  \"positives\": %zu,\n", s.samples, s.positives);
  std::printf("  \"split\": {\"train\": %zu, \"valid\": %zu, \"test\": %zu},\n", s.train, s.valid, s.test);
  std::printf("  \"total_vocab\": %d,\n  \"fields\": [\n", s.total_vocab);
  for (size_t k = 0; k < s.fields.size(); ++k) {
    const auto& f = s.fields[k];
    std::printf("    {\"name\": %s, \"description\": %s, \"vocab_size\": %d, \"oov_rate_valid\": %.6f, "
                "\"oov_rate_test\": %.6f, \"top_values\": [",
                json_quote(f.name).c_str(), json_quote(f.description).c_str(), f.vocab_size, f.oov_rate_valid, f.oov_rate_test);
    for (size_t i = 0; i < f.top_values.size(); ++i)
      std::printf("%s{\"text\": %s, \"count\": %lld}", i ? ", " : "", json_quote(f.top_values[i].first).c_str(),
                  static_cast<long long>(f.top_values[i].second));
    std::printf("]}%s\n", k + 1 < s.fields.size() ? "," : "");
  }
  std::printf("  ]\n}\n");
}

int data_stats(int argc, char** argv) {
  Args a("llactr data stats --dataset {ml1m,ml100k,amazon2023,csv} --data-dir DIR [--json]");
  declare_data_options(a);
  a.alias("format", "dataset").alias("dir", "data-dir").alias("split", "split-mode").alias("seed", "split-seed");
  a.flag("no-cache", "neither read nor write the cache (same as --cache-dir \"\")").flag("json", "print JSON instead of text");
  if (!a.parse(argc, argv, 2)) return 0;
  a.reject_positional();
  data::DataOptions o = data_options(a);
  if (a.get_flag("no-cache")) o.cache_dir = "";
  auto t0 = Clock::now();
  data::Dataset d = data::load_dataset(o);
  double seconds = seconds_since(t0);
  data::DatasetStats s = data::compute_stats(d);
  if (a.get_flag("json")) print_json(o, d, s, seconds);
  else print_text(o, d, s, seconds);
  return 0;
}

void write_lines(const std::string& path, const std::vector<std::string>& lines, const std::string& header = "") {
  std::ofstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot write " + path);
  if (!header.empty()) f << header << '\n';
  for (const std::string& l : lines) f << l << '\n';
  if (!f.good()) throw std::runtime_error("write error in " + path);
}

int data_make_knowledge_corpus(int argc, char** argv) {
  Args a("llactr data make-knowledge-corpus --out F [--form gloss|chain|both] [--scope all|categories|movies] [--wordnet-dir D] [--movies-dir D [--movie-titles F]]");
  a.option("out", "", "the corpus file to write (one line per sentence); F.categories.tsv is written beside it")
      .option("form", "both", "noun lines: gloss (lemmas: definition), chain (lemma is a hypernym, ..., an entity) or both")
      .option("scope", "all", "noun synsets: all, categories (only the probe categories' subtrees: a domain corpus) or movies (none: the movie lines alone)")
      .option("wordnet-dir", "/usr/share/wordnet", "WordNet 3.0's dict folder (data.noun, ...): apt-get install wordnet-base")
      .option("movies-dir", "", "MovieLens latest-small folder (movies.csv, tags.csv) for the movie lines; empty: none")
      .option("movie-titles", "", "a file of movie titles, one a line, as movies.csv spells them: only their movie lines (e.g. ML-100K's films); empty: every movie")
      .option("pos", "noun", "comma-separated parts of speech whose glosses to write: noun,verb,adj,adv")
      .option("seed", "1", "the line shuffle's seed (and the control corpus's pairing)")
      .flag("control", "scramble the knowledge: each subject gets another synset's or movie's gloss, chain, tags, genres");
  if (!a.parse(argc, argv, 2)) return 0;
  a.reject_positional();
  if (a.get("out").empty()) throw std::invalid_argument("--out F is required");
  data::KnowledgeCorpusOptions o;
  o.form = data::knowledge_form_from_name(a.get("form"));
  o.scope = data::knowledge_scope_from_name(a.get("scope"));
  o.wordnet_dir = a.get("wordnet-dir");
  o.movies_dir = a.has("movies-dir") ? a.get("movies-dir") : "";
  if (a.has("movie-titles") && !a.get("movie-titles").empty()) {
    if (o.movies_dir.empty()) throw std::invalid_argument("--movie-titles needs --movies-dir");
    // UTF-8, one title a line; ML-100K's u.item ends some titles with a space.
    for (const std::string& line : data::read_corpus_lines(a.get("movie-titles")))
      o.movie_titles.emplace_back(data::trim(line));
  }
  o.parts_of_speech.clear();
  for (std::string_view p : data::split(a.get("pos"), ",")) o.parts_of_speech.emplace_back(data::trim(p));
  const long seed = a.get_int("seed");
  if (seed < 0) throw std::invalid_argument("--seed must be >= 0");
  o.seed = uint64_t(seed);
  o.control = a.get_flag("control");
  const std::string out = a.get("out");
  {  // fail on an unwritable output before the work
    std::ofstream probe(out, std::ios::binary | std::ios::app);
    if (!probe) throw std::runtime_error("cannot write " + out);
  }

  auto t0 = Clock::now();
  const data::KnowledgeCorpus k = data::make_knowledge_corpus(o);
  write_lines(out, k.lines);
  std::vector<std::string> rows;
  for (const auto& c : k.categories)
    for (const std::string& w : c.words) rows.push_back(w + "\t" + c.spec.name);
  write_lines(out + ".categories.tsv", rows, "# word\tcategory");
  const double seconds = seconds_since(t0);

  size_t words = 0, bytes = 0;
  for (const std::string& l : k.lines) {
    bytes += l.size() + 1;
    words += data::split(l, " ").size();
  }
  std::printf("corpus     %s%s (%.2f s)\n", out.c_str(), o.control ? "  CONTROL: knowledge scrambled" : "", seconds);
  std::printf("lines      %zu  (gloss %zu, chain %zu, movie %zu)\n", k.lines.size(), k.gloss_lines, k.chain_lines,
              k.movie_lines);
  std::printf("words      %zu\nbytes      %zu\n", words, bytes);
  std::printf("categories %zu in %s.categories.tsv (word, category):\n", k.categories.size(), out.c_str());
  for (const auto& c : k.categories)
    std::printf("  %-24s %08u  %zu words\n", c.spec.name.c_str(), c.spec.offset, c.words.size());
  return 0;
}

int data_make_knowledge_clicks(int argc, char** argv) {
  Args a("llactr data make-knowledge-clicks --categories F.tsv --out DIR [--seed S] [--users N] [--rows-per-user N]");
  const data::KnowledgeClicksOptions d;
  a.option("categories", "", "word<TAB>category lines (written by `llactr data make-knowledge-corpus`)")
      .option("out", "", "folder for clicks.csv, schema.txt and knowledge_clicks.json")
      .option("seed", std::to_string(d.seed), "draws users, items' popularity and clicks")
      .option("users", std::to_string(d.users), "number of users")
      .option("rows-per-user", std::to_string(d.rows_per_user), "distinct items each user sees")
      .option("liked-categories", std::to_string(d.liked_categories), "categories each user likes")
      .option("exposure", json_number(d.exposure), "share of a user's items drawn from the liked categories")
      .option("like", json_number(d.like), "logit added when the user likes the item's category")
      .option("base", json_number(d.base), "logit of an average user on an item outside the liked categories")
      .option("user-std", json_number(d.user_std), "standard deviation of the users' logit offsets")
      .option("item-std", json_number(d.item_std), "standard deviation of the items' logit offsets");
  if (!a.parse(argc, argv, 2)) return 0;
  if (!a.has("categories") || !a.has("out")) throw std::invalid_argument("--categories and --out are required");
  data::KnowledgeClicksOptions o;
  o.seed = uint64_t(a.get_int("seed"));
  o.users = int(a.get_int("users"));
  o.rows_per_user = int(a.get_int("rows-per-user"));
  o.liked_categories = int(a.get_int("liked-categories"));
  o.exposure = a.get_double("exposure");
  o.like = a.get_double("like");
  o.base = a.get_double("base");
  o.user_std = a.get_double("user-std");
  o.item_std = a.get_double("item-std");
  const data::WordCategories words = data::read_word_categories(a.get("categories"));
  const data::KnowledgeClicksStats s = data::write_knowledge_clicks(words, o, a.get("out"));
  std::printf("wrote %s: %zu rows (%.1f%% clicks), %zu users, %zu items in %zu categories; AUC of the true "
              "probabilities %.4f\n",
              a.get("out").c_str(), s.rows, 100.0 * double(s.positives) / double(s.rows), s.users, s.items, s.categories,
              s.bayes_auc);
  return 0;
}

}  // namespace

int cmd_data(int argc, char** argv) {
  std::string sub = argc >= 2 ? argv[1] : "";
  if (sub == "stats") return data_stats(argc, argv);
  if (sub == "make-knowledge-corpus") return data_make_knowledge_corpus(argc, argv);
  if (sub == "make-knowledge-clicks") return data_make_knowledge_clicks(argc, argv);
  if (sub.empty() || sub == "--help" || sub == "-h") {
    std::puts("usage: llactr data stats --dataset {ml1m,ml100k,amazon2023,csv} --data-dir DIR [--json]\n"
              "       llactr data make-knowledge-corpus --out F [--form gloss|chain|both] [--movies-dir DIR]\n"
              "       llactr data make-knowledge-clicks --categories F.tsv --out DIR [--seed S]\n"
              "  (llactr data SUBCOMMAND --help for all options)");
    return sub.empty() ? 1 : 0;
  }
  throw std::invalid_argument("unknown data subcommand '" + sub + "' (stats, make-knowledge-corpus, make-knowledge-clicks)");
}

}  // namespace llactr
