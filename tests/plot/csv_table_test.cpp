#include "plot/csv_table.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "common/fixtures.hpp"
#include "core/error.hpp"
#include "synthetic_run.hpp"

namespace kbeta::plot {
namespace {

TEST(CsvTable, ReadsRequestedColumnsByName) {
  const auto path = kbeta::testing::scratch_dir("CsvTable.Reads") / "t.csv";
  kbeta::testing::write_text(
      path, "window,epoch,bucket,beta2\r\n3,3,global,0.95\r\n4,4,layer_1,nan\r\n\n5,5,x,inf\n");
  const CsvTable table = CsvTable::read(path, {"beta2", "window"}, {"bucket"});
  ASSERT_EQ(table.rows(), 3u);
  EXPECT_DOUBLE_EQ(table.numbers("window")[1], 4.0);
  EXPECT_DOUBLE_EQ(table.numbers("beta2")[0], 0.95);
  EXPECT_TRUE(std::isnan(table.numbers("beta2")[1]));
  EXPECT_TRUE(std::isinf(table.numbers("beta2")[2]));
  EXPECT_EQ(table.strings("bucket")[1], "layer_1");
  EXPECT_EQ(table.position("window"), 1u);
  EXPECT_EQ(table.position("beta2"), 4u);
}

TEST(CsvTable, ErrorNamesFileAndLine) {
  const auto path = kbeta::testing::scratch_dir("CsvTable.Error") / "t.csv";
  kbeta::testing::write_text(path, "a,b\n1,2\n3,1e\n");
  try {
    CsvTable::read(path, {"a", "b"});
    FAIL() << "expected kbeta::Error";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("t.csv:3"), std::string::npos) << message;
    EXPECT_NE(message.find("'1e'"), std::string::npos) << message;
  }
}

TEST(CsvTable, MissingFileThrows) {
  const auto path = kbeta::testing::scratch_dir("CsvTable.Missing") / "absent.csv";
  EXPECT_THROW(CsvTable::read(path, {"a"}), Error);
}

}  // namespace
}  // namespace kbeta::plot
