// A reader for the metrics CSV files: one header line, comma-separated fields, no quoting.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace kbeta::plot {

// The requested columns of one CSV file, stored column by column. Numeric columns hold doubles
// ("nan" and "inf" are accepted); text columns hold the field as written.
class CsvTable {
 public:
  // Reads `path`, keeping the columns named in `numeric` and `text`. Other columns are ignored.
  // Throws kbeta::Error naming the file and line when the file cannot be read, a requested
  // column is missing, a row has the wrong number of fields or a numeric field does not parse.
  static CsvTable read(const std::filesystem::path& path, const std::vector<std::string>& numeric,
                       const std::vector<std::string>& text = {});

  std::size_t rows() const { return rows_; }
  const std::vector<double>& numbers(std::string_view column) const;
  const std::vector<std::string>& strings(std::string_view column) const;
  // 1-based position of a requested column in the file, as gnuplot's `using` counts.
  std::size_t position(std::string_view column) const;

 private:
  std::size_t rows_ = 0;
  std::vector<std::string> names_;      // requested columns, numeric first
  std::vector<std::size_t> positions_;  // their 0-based positions in the file
  std::vector<std::string> numeric_names_;
  std::vector<std::vector<double>> numeric_columns_;
  std::vector<std::string> text_names_;
  std::vector<std::vector<std::string>> text_columns_;
};

}  // namespace kbeta::plot
