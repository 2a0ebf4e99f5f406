#include "llactr/data/csv_reader.h"

#include <filesystem>
#include <stdexcept>

#include "llactr/util/utf8.h"

namespace llactr::data {

std::vector<std::string> CsvSchema::field_columns() const {
  std::vector<std::string> cols;
  for (const auto& f : schema.fields) cols.push_back(f.name);
  return cols;
}

std::string CsvSchema::fingerprint() const {
  return schema.fingerprint() + "separator=" + std::string(1, separator) + "\nlabel=" + label_column + " " +
         label_rule.str() + "\ntimestamp=" + timestamp_column + "\n";
}

CsvSchema read_csv_schema(const std::string& schema_path) {
  CsvSchema csv;
  std::string user, item;
  SkippedLines strict;
  strict.skippable = false;
  std::string text = repair_utf8(read_text_file(schema_path, "the CSV schema file; see docs/DATA.md for its format"));
  for_each_line(text, schema_path, strict, [&](std::string_view line) {
    line = trim(line);
    if (line.front() == '#') return;
    size_t sp = line.find_first_of(" \t");
    std::string_view key = line.substr(0, sp), rest = sp == std::string_view::npos ? "" : trim(line.substr(sp));
    if (rest.empty()) throw BadLine("'" + std::string(key) + "' needs a value");
    if (key == "file") {
      csv.file = (std::filesystem::path(schema_path).parent_path() / std::string(rest)).string();
    } else if (key == "separator") {
      if (rest == "tab") csv.separator = '\t';
      else if (rest.size() == 1 && rest[0] != '"') csv.separator = rest[0];
      else throw BadLine("separator must be one character (not '\"') or 'tab'");
    } else if (key == "label") {
      size_t s = rest.find_first_of(" \t");
      if (s == std::string_view::npos) throw BadLine("expected 'label COLUMN pos OP T [neg OP U]'");
      csv.label_column = std::string(rest.substr(0, s));
      try {
        csv.label_rule = LabelRule::parse(rest.substr(s));
      } catch (const std::invalid_argument& e) {
        throw BadLine(e.what());
      }
    } else if (key == "timestamp") {
      csv.timestamp_column = std::string(rest);
    } else if (key == "user") {
      user = std::string(rest);
    } else if (key == "item") {
      item = std::string(rest);
    } else if (key == "field") {
      size_t s = rest.find_first_of(" \t");
      if (s == std::string_view::npos) throw BadLine("expected 'field COLUMN description'");
      Field f{std::string(rest.substr(0, s)), std::string(trim(rest.substr(s)))};
      if (csv.schema.index_of(f.name) >= 0) throw BadLine("field '" + f.name + "' declared twice");
      csv.schema.fields.push_back(f);
    } else {
      throw BadLine("unknown directive '" + std::string(key) + "' (file, separator, label, timestamp, user, item, field)");
    }
  });
  auto missing = [&](const char* what) {
    throw std::runtime_error(schema_path + ": no '" + what + "' line; see docs/DATA.md for the format");
  };
  if (csv.file.empty()) missing("file");
  if (csv.label_column.empty()) missing("label");
  if (csv.schema.fields.empty()) missing("field");
  csv.schema.user_field = user.empty() ? -1 : csv.schema.index_of(user);
  csv.schema.item_field = item.empty() ? -1 : csv.schema.index_of(item);
  if (!user.empty() && csv.schema.user_field < 0) throw std::runtime_error(schema_path + ": user '" + user + "' is not a declared field");
  if (!item.empty() && csv.schema.item_field < 0) throw std::runtime_error(schema_path + ": item '" + item + "' is not a declared field");
  return csv;
}

std::vector<std::string> split_csv_line(std::string_view line, char separator) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c != '"') cells.back() += c;
      else if (i + 1 < line.size() && line[i + 1] == '"') cells.back() += '"', ++i;
      else quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == separator) {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  if (quoted) throw BadLine("unterminated quote (a cell may not span lines)");
  return cells;
}

RawTable read_csv(const CsvSchema& csv, bool skip_bad_lines) {
  const int n = csv.schema.num_fields();
  RawTable table(n);
  table.skipped.skip = skip_bad_lines;
  std::string text = repair_utf8(read_text_file(csv.file, "the CSV named by the schema file's 'file' line"));
  std::string_view body = text;
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);  // UTF-8 byte-order mark

  std::vector<int> field_col(n, -1);
  int label_col = -1, time_col = -1;
  size_t header_cols = 0;
  bool have_header = false;
  int64_t row_number = 0;
  std::vector<std::string_view> cells(n);
  for_each_line(body, csv.file, table.skipped, [&](std::string_view line) {
    if (!have_header) {
      auto header = split_csv_line(line, csv.separator);
      auto find = [&](const std::string& name) {
        for (size_t c = 0; c < header.size(); ++c)
          if (trim(header[c]) == name) return int(c);
        throw std::runtime_error(csv.file + ": the header has no column '" + name + "' named in the schema file");
      };
      for (int k = 0; k < n; ++k) field_col[k] = find(csv.schema.fields[k].name);
      label_col = find(csv.label_column);
      if (!csv.timestamp_column.empty()) time_col = find(csv.timestamp_column);
      header_cols = header.size();
      have_header = true;
      return;
    }
    auto row = split_csv_line(line, csv.separator);
    if (row.size() != header_cols)
      throw BadLine("expected " + std::to_string(header_cols) + " columns as in the header, found " + std::to_string(row.size()));
    LabelRule::Outcome label = csv.label_rule.apply(parse_double(trim(row[label_col]), "label column"));
    int64_t timestamp = time_col < 0 ? row_number : parse_int(trim(row[time_col]), "timestamp column");
    ++row_number;
    if (label == LabelRule::kDrop) return;
    for (int k = 0; k < n; ++k) cells[k] = row[field_col[k]];
    table.add_row(cells.data(), float(label), timestamp);
  });
  if (!have_header) throw std::runtime_error(csv.file + ": empty file, expected a header row");
  return table;
}

}  // namespace llactr::data
