#include "plot/csv_table.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "core/error.hpp"
#include "io/atomic_file.hpp"

namespace kbeta::plot {

namespace {

// Splits one line at commas. A trailing carriage return (a file saved on Windows) is dropped.
std::vector<std::string_view> split_fields(std::string_view line) {
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return fields;
    }
    fields.push_back(line.substr(start, comma - start));
    start = comma + 1;
  }
}

std::string_view trim(std::string_view field) {
  while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) {
    field.remove_prefix(1);
  }
  while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) {
    field.remove_suffix(1);
  }
  return field;
}

// Parses a decimal number; std::from_chars also accepts "nan", "inf" and "infinity".
bool parse_number(std::string_view field, double& value) {
  field = trim(field);
  if (!field.empty() && field.front() == '+') {
    field.remove_prefix(1);
  }
  if (field.empty()) {
    return false;
  }
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
  return error == std::errc() && end == field.data() + field.size();
}

std::size_t find_column(const std::vector<std::string_view>& header, const std::string& name,
                        const std::filesystem::path& path) {
  const auto it =
      std::find_if(header.begin(), header.end(), [&](std::string_view field) { return trim(field) == name; });
  if (it == header.end()) {
    throw Error(fmt::format("{}: missing column '{}' in the header line", path.string(), name));
  }
  return static_cast<std::size_t>(it - header.begin());
}

}  // namespace

CsvTable CsvTable::read(const std::filesystem::path& path, const std::vector<std::string>& numeric,
                        const std::vector<std::string>& text) {
  const std::string content = io::read_file(path);
  std::string_view rest(content);

  CsvTable table;
  std::vector<std::string_view> header;
  std::vector<std::size_t> numeric_index;
  std::vector<std::size_t> text_index;
  table.numeric_names_ = numeric;
  table.text_names_ = text;
  table.numeric_columns_.resize(numeric.size());
  table.text_columns_.resize(text.size());

  std::size_t line_number = 0;
  while (!rest.empty()) {
    const std::size_t newline = rest.find('\n');
    const std::string_view line = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    ++line_number;

    if (line_number == 1) {
      header = split_fields(line);
      for (const std::string& name : numeric) {
        numeric_index.push_back(find_column(header, name, path));
      }
      for (const std::string& name : text) {
        text_index.push_back(find_column(header, name, path));
      }
      table.names_ = numeric;
      table.names_.insert(table.names_.end(), text.begin(), text.end());
      table.positions_ = numeric_index;
      table.positions_.insert(table.positions_.end(), text_index.begin(), text_index.end());
      continue;
    }
    if (trim(line).empty() || line == "\r") {
      continue;
    }

    const std::vector<std::string_view> fields = split_fields(line);
    if (fields.size() != header.size()) {
      throw Error(fmt::format("{}:{}: expected {} fields as in the header line, got {}", path.string(),
                              line_number, header.size(), fields.size()));
    }
    for (std::size_t c = 0; c < numeric.size(); ++c) {
      double value = 0.0;
      if (!parse_number(fields[numeric_index[c]], value)) {
        throw Error(fmt::format("{}:{}: column '{}' is not a number: '{}'", path.string(), line_number,
                                numeric[c], fields[numeric_index[c]]));
      }
      table.numeric_columns_[c].push_back(value);
    }
    for (std::size_t c = 0; c < text.size(); ++c) {
      table.text_columns_[c].emplace_back(trim(fields[text_index[c]]));
    }
    ++table.rows_;
  }
  if (line_number == 0) {
    throw Error(fmt::format("{}: the file is empty (expected a header line)", path.string()));
  }
  return table;
}

const std::vector<double>& CsvTable::numbers(std::string_view column) const {
  const auto it = std::find(numeric_names_.begin(), numeric_names_.end(), column);
  KBETA_CHECK(it != numeric_names_.end());
  return numeric_columns_[static_cast<std::size_t>(it - numeric_names_.begin())];
}

const std::vector<std::string>& CsvTable::strings(std::string_view column) const {
  const auto it = std::find(text_names_.begin(), text_names_.end(), column);
  KBETA_CHECK(it != text_names_.end());
  return text_columns_[static_cast<std::size_t>(it - text_names_.begin())];
}

std::size_t CsvTable::position(std::string_view column) const {
  const auto it = std::find(names_.begin(), names_.end(), column);
  KBETA_CHECK(it != names_.end());
  return positions_[static_cast<std::size_t>(it - names_.begin())] + 1;
}

}  // namespace kbeta::plot
