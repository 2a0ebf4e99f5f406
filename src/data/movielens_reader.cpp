#include "llactr/data/movielens_reader.h"

#include <unordered_map>

#include "llactr/data/label_rule.h"
#include "llactr/util/utf8.h"

namespace llactr::data {
namespace {

struct User {
  std::string gender, age, occupation, zip;
};
struct Movie {
  std::string title, genres;
};

const char* kMl1mHint = "MovieLens-1M layout; run `make data-ml1m` or pass --dir to a folder with ratings.dat, users.dat, movies.dat";
const char* kMl100kHint = "MovieLens-100K; run `make data` or pass --dir to a folder with u.data, u.user, u.item";

std::string gender_text(std::string_view code) {
  if (code == "F") return "female";
  if (code == "M") return "male";
  throw BadLine("gender is not F or M: '" + std::string(code) + "'");
}

// users.dat age codes, from the ML-1M README.
std::string ml1m_age_text(std::string_view code) {
  static const std::unordered_map<std::string_view, const char*> kAge = {
      {"1", "Under 18"}, {"18", "18-24"}, {"25", "25-34"}, {"35", "35-44"},
      {"45", "45-49"},   {"50", "50-55"}, {"56", "56+"}};
  auto it = kAge.find(code);
  if (it == kAge.end()) throw BadLine("unknown age code '" + std::string(code) + "'");
  return it->second;
}

// users.dat occupation codes, from the ML-1M README (0 worded as the LLaCTR code words it).
std::string ml1m_occupation_text(std::string_view code) {
  static const char* kOccupation[] = {
      "other or not specified", "academic/educator", "artist", "clerical/admin", "college/grad student",
      "customer service", "doctor/health care", "executive/managerial", "farmer", "homemaker",
      "K-12 student", "lawyer", "programmer", "retired", "sales/marketing", "scientist", "self-employed",
      "technician/engineer", "tradesman/craftsman", "unemployed", "writer"};
  int64_t c = parse_int(code, "occupation code");
  if (c < 0 || c > 20) throw BadLine("occupation code out of range 0..20: " + std::to_string(c));
  return kOccupation[c];
}

// Adds one rating row; the rating's user and movie must be known.
void add_rating(RawTable& table, const std::unordered_map<int64_t, User>& users,
                const std::unordered_map<int64_t, Movie>& movies, std::string_view user_id,
                std::string_view movie_id, std::string_view rating_text, std::string_view time_text, bool ml1m) {
  int64_t uid = parse_int(user_id, "UserID"), mid = parse_int(movie_id, "MovieID");
  int64_t rating = parse_int(rating_text, "rating");
  int64_t timestamp = parse_int(time_text, "timestamp");
  auto u = users.find(uid);
  if (u == users.end()) throw BadLine("UserID " + std::to_string(uid) + " is not in the users file");
  auto m = movies.find(mid);
  if (m == movies.end()) throw BadLine("MovieID " + std::to_string(mid) + " is not in the movies file");
  static const LabelRule rule = movielens_label_rule();
  LabelRule::Outcome label = rule.apply(double(rating));
  if (label == LabelRule::kDrop) return;
  const User& us = u->second;
  const Movie& mv = m->second;
  if (ml1m) {
    std::string_view cells[] = {user_id, us.gender, us.age, us.occupation, movie_id, mv.title, mv.genres, time_text};
    table.add_row(cells, float(label), timestamp);
  } else {
    std::string_view cells[] = {user_id, us.age, us.gender, us.occupation, us.zip, movie_id, mv.title, mv.genres, time_text};
    table.add_row(cells, float(label), timestamp);
  }
}

std::vector<std::string_view> expect_columns(std::string_view line, std::string_view sep, size_t n) {
  auto cols = split(line, sep);
  if (cols.size() != n)
    throw BadLine("expected " + std::to_string(n) + " '" + std::string(sep) + "'-separated columns, found " +
                  std::to_string(cols.size()));
  return cols;
}

}  // namespace

Schema ml1m_schema() {
  Schema s;
  s.fields = {
      {"UserID", "UserID: the unique identifier of the user."},
      {"Gender", "Gender: the gender of the user, female or male."},
      {"Age", "Age: the age range of the user, such as 25-34."},
      {"Occupation", "Occupation: the occupation of the user, such as programmer or college/grad student."},
      {"MovieID", "MovieID: the unique identifier of the movie."},
      {"Title", "Title: the title of the movie, with its release year."},
      {"Genres", "Genres: the genres of the movie, separated by '|', such as Action|Comedy."},
      {"Timestamp", "Timestamp: the time the user rated the movie, in seconds since 1970-01-01 UTC."},
  };
  s.user_field = 0;
  s.item_field = 4;
  return s;
}

std::vector<std::string> ml1m_files(const std::string& dir) {
  return {dir + "/ratings.dat", dir + "/users.dat", dir + "/movies.dat"};
}

RawTable read_ml1m(const std::string& dir, bool skip_bad_lines) {
  RawTable table(8);
  table.skipped.skip = skip_bad_lines;
  auto files = ml1m_files(dir);

  std::unordered_map<int64_t, User> users;
  std::string user_text = latin1_file_to_utf8(read_text_file(files[1], kMl1mHint));
  for_each_line(user_text, files[1], table.skipped, [&](std::string_view line) {
    auto c = expect_columns(line, "::", 5);  // UserID::Gender::Age::Occupation::Zip-code
    users[parse_int(c[0], "UserID")] = {gender_text(c[1]), ml1m_age_text(c[2]), ml1m_occupation_text(c[3]),
                                        std::string(c[4])};
  });

  std::unordered_map<int64_t, Movie> movies;
  std::string movie_text = latin1_file_to_utf8(read_text_file(files[2], kMl1mHint));
  for_each_line(movie_text, files[2], table.skipped, [&](std::string_view line) {
    // MovieID::Title::Genres; a title may itself contain "::", so genres follow the last one.
    size_t first = line.find("::"), last = line.rfind("::");
    if (first == std::string_view::npos || first == last) throw BadLine("expected MovieID::Title::Genres");
    movies[parse_int(line.substr(0, first), "MovieID")] = {std::string(line.substr(first + 2, last - first - 2)),
                                                           std::string(line.substr(last + 2))};
  });

  for_each_line(read_text_file(files[0], kMl1mHint), files[0], table.skipped, [&](std::string_view line) {
    auto c = expect_columns(line, "::", 4);  // UserID::MovieID::Rating::Timestamp
    add_rating(table, users, movies, c[0], c[1], c[2], c[3], true);
  });
  return table;
}

Schema ml100k_schema() {
  Schema s;
  s.fields = {
      {"UserID", "UserID: the unique identifier of the user."},
      {"Age", "Age: the age of the user in years."},
      {"Gender", "Gender: the gender of the user, female or male."},
      {"Occupation", "Occupation: the occupation of the user, such as student or engineer."},
      {"ZipCode", "ZipCode: the US zip code where the user lives."},
      {"MovieID", "MovieID: the unique identifier of the movie."},
      {"Title", "Title: the title of the movie, with its release year."},
      {"Genres", "Genres: the genres of the movie, separated by '|', such as Action|Comedy."},
      {"Timestamp", "Timestamp: the time the user rated the movie, in seconds since 1970-01-01 UTC."},
  };
  s.user_field = 0;
  s.item_field = 5;
  return s;
}

std::vector<std::string> ml100k_files(const std::string& dir) {
  return {dir + "/u.data", dir + "/u.user", dir + "/u.item"};
}

RawTable read_ml100k(const std::string& dir, bool skip_bad_lines) {
  RawTable table(9);
  table.skipped.skip = skip_bad_lines;
  auto files = ml100k_files(dir);

  std::unordered_map<int64_t, User> users;
  std::string user_text = latin1_file_to_utf8(read_text_file(files[1], kMl100kHint));  // zip codes and occupations stay text
  for_each_line(user_text, files[1], table.skipped, [&](std::string_view line) {
    auto c = expect_columns(line, "|", 5);  // user id | age | gender | occupation | zip code
    parse_int(c[1], "age");
    users[parse_int(c[0], "UserID")] = {gender_text(c[2]), std::string(c[1]), std::string(c[3]), std::string(c[4])};
  });

  // The genre columns of u.item, in order (u.genre).
  static const char* kGenres[19] = {"unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
                                    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
                                    "Romance", "Sci-Fi", "Thriller", "War", "Western"};
  std::unordered_map<int64_t, Movie> movies;
  std::string item_text = latin1_file_to_utf8(read_text_file(files[2], kMl100kHint));
  for_each_line(item_text, files[2], table.skipped, [&](std::string_view line) {
    // movie id | title | release date | video release date | IMDb URL | 19 genre flags
    auto c = expect_columns(line, "|", 24);
    std::string genres;
    for (int g = 0; g < 19; ++g) {
      std::string_view flag = c[5 + g];
      if (flag != "0" && flag != "1") throw BadLine("genre flag is not 0 or 1: '" + std::string(flag) + "'");
      if (flag == "1") genres += (genres.empty() ? "" : "|") + std::string(kGenres[g]);
    }
    movies[parse_int(c[0], "MovieID")] = {std::string(c[1]), genres};
  });

  for_each_line(read_text_file(files[0], kMl100kHint), files[0], table.skipped, [&](std::string_view line) {
    auto c = expect_columns(line, "\t", 4);  // user id, item id, rating, timestamp
    add_rating(table, users, movies, c[0], c[1], c[2], c[3], false);
  });
  return table;
}

}  // namespace llactr::data
