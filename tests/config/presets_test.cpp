#include "config/presets.hpp"

#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/fixtures.hpp"
#include "core/error.hpp"

namespace kbeta::config {
namespace {

using ::testing::HasSubstr;

TEST(Presets, ListsPackagedPresets) {
  const auto presets = list_presets();
  for (const char* name : {"demo", "heat2d", "paper", "quick_test"}) {
    EXPECT_THAT(presets, ::testing::Contains(std::string(name)));
  }
}

TEST(Presets, NameWithAndWithoutExtension) {
  const auto plain = find_config("heat2d");
  EXPECT_EQ(plain.filename(), "heat2d.yml");
  EXPECT_EQ(find_config("heat2d.yml"), plain);
}

TEST(Presets, ExistingFileWins) {
  const auto dir = testing::scratch_dir("PresetsExistingFileWins");
  const auto file = dir / "heat2d";
  std::ofstream(file) << "seed: 1\n";
  EXPECT_EQ(find_config(file.string()), file);
}

TEST(Presets, MissingPresetListsAvailable) {
  try {
    find_config("no_such_preset");
    FAIL() << "find_config accepted a missing preset";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_THAT(message, HasSubstr("config 'no_such_preset' not found"));
    EXPECT_THAT(message, HasSubstr("demo, heat2d, paper, quick_test"));
  }
}

TEST(Presets, PathIsNeverAPresetName) {
  EXPECT_THROW(find_config("some/dir/heat2d"), ConfigError);
}

}  // namespace
}  // namespace kbeta::config
