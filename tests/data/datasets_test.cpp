// Dataset generation, the split, and saving and loading the nine .npy files, including users'
// own files and every check that rejects them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <vector>

#include "common/fixtures.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "data/datasets.hpp"
#include "data/npy.hpp"

namespace kbeta {
namespace {

using ::testing::HasSubstr;

data::GeneratorSettings small_settings(data::SegmentStrategy strategy = data::SegmentStrategy::BaseCase) {
  data::GeneratorSettings settings;
  settings.geometry = data::make_geometry(1.0, 0.75, 0.125, 0.125);
  settings.samples = 20;
  settings.time_steps = 6;
  settings.strategy = strategy;
  return settings;
}

TEST(SplitSizes, SeventyTwentyTen) {
  EXPECT_EQ(data::split_sizes(4000), (std::array<int, 3>{2800, 800, 400}));
  EXPECT_EQ(data::split_sizes(20), (std::array<int, 3>{14, 4, 2}));
  // int(0.7 * 10) is 7 and int(0.9 * 10) is 9 in double.
  EXPECT_EQ(data::split_sizes(10), (std::array<int, 3>{7, 2, 1}));
}

TEST(Linspace, EndpointsAndSpacing) {
  const auto values = data::linspace(0.01f, 0.1f, 4000);
  EXPECT_EQ(values.front(), 0.01f);
  EXPECT_EQ(values.back(), 0.1f);
  for (std::size_t k = 1; k < values.size(); ++k) {
    ASSERT_GT(values[k], values[k - 1]) << "at " << k;
  }
}

TEST(GenerateDatasets, SameSeedSameData) {
  rng::Generator first(5);
  rng::Generator second(5);
  const auto a = data::generate_datasets(small_settings(), first);
  const auto b = data::generate_datasets(small_settings(), second);
  EXPECT_TRUE(a.train.data == b.train.data);
  EXPECT_EQ(a.test.alphas, b.test.alphas);
  EXPECT_EQ(first.state(), second.state());

  rng::Generator other(6);
  const auto c = data::generate_datasets(small_settings(), other);
  EXPECT_FALSE(a.train.data == c.train.data);
}

TEST(GenerateDatasets, DrawsFiveValuesPerSampleOncePerSide) {
  rng::Generator gen(2);
  const auto settings = small_settings();
  const auto datasets = data::generate_datasets(settings, gen);
  // Every α of the linspace appears exactly once across the three splits.
  std::multiset<float> drawn;
  for (const auto* split : {&datasets.train, &datasets.val, &datasets.test}) {
    drawn.insert(split->alphas.begin(), split->alphas.end());
  }
  const auto values = data::linspace(static_cast<float>(settings.alpha[0]),
                                     static_cast<float>(settings.alpha[1]), settings.samples);
  EXPECT_EQ(drawn, std::multiset<float>(values.begin(), values.end()));
}

TEST(GenerateDatasets, Challenge2SegmentsLieOnTheBoundary) {
  rng::Generator gen(4);
  auto settings = small_settings(data::SegmentStrategy::Challenge2);
  settings.geometry = data::make_geometry(1.0, 0.5, 0.0625, 0.0625);  // 9 × 17: not square
  const auto inputs = data::draw_split_inputs(settings, gen);
  for (const auto& split : inputs) {
    ASSERT_EQ(split.segments.size(), split.alphas.size());
    for (const auto& seg : split.segments) {
      EXPECT_NE(seg.hot_side, seg.cold_side);
      for (const auto& [side, start] :
           {std::pair{seg.hot_side, seg.hot_start}, {seg.cold_side, seg.cold_start}}) {
        const int length = side == data::Side::Top || side == data::Side::Bottom ? settings.geometry.nx
                                                                                 : settings.geometry.ny;
        EXPECT_GE(start, 0);
        EXPECT_LE(start + 4, length);
      }
    }
  }
  rng::Generator again(4);
  EXPECT_NO_THROW(data::generate_datasets(settings, again));
}

TEST(GenerateDatasets, IndependentOfThreadCount) {
  const int saved = omp_get_max_threads();
  for (const auto strategy : {data::SegmentStrategy::Challenge1, data::SegmentStrategy::Challenge2}) {
    auto settings = small_settings(strategy);
    settings.geometry = data::make_geometry(1.0, 1.0, 0.08, 0.08);
    settings.samples = 30;
    omp_set_num_threads(1);
    rng::Generator first(8);
    const auto serial = data::generate_datasets(settings, first);
    omp_set_num_threads(3);
    rng::Generator second(8);
    const auto parallel = data::generate_datasets(settings, second);
    EXPECT_TRUE(serial.train.data == parallel.train.data) << data::segment_strategy_name(strategy);
    EXPECT_TRUE(serial.val.data == parallel.val.data) << data::segment_strategy_name(strategy);
    EXPECT_TRUE(serial.test.data == parallel.test.data) << data::segment_strategy_name(strategy);
  }
  omp_set_num_threads(saved);
}

TEST(GenerateDatasets, RejectsInvalidSettings) {
  auto few = small_settings();
  few.samples = 3;
  EXPECT_THAT([&] { data::validate_settings(few); },
              ::testing::ThrowsMessage<ConfigError>(HasSubstr(
                  "training_samples: 3 leaves an empty split (train/val/test = 2/0/1); use at least 4")));

  auto alpha = small_settings();
  alpha.alpha = {0.0, 0.1};
  EXPECT_THAT(
      [&] { data::validate_settings(alpha); },
      ::testing::ThrowsMessage<ConfigError>(HasSubstr("alpha_limits: expected two positive numbers")));

  auto nan_limit = small_settings();
  nan_limit.top = {0.0, std::numeric_limits<double>::quiet_NaN()};
  EXPECT_THAT([&] { data::validate_settings(nan_limit); },
              ::testing::ThrowsMessage<ConfigError>(HasSubstr("boundary_conditions.top_limits")));

  auto frames = small_settings();
  frames.time_steps = 0;
  EXPECT_THAT([&] { data::validate_settings(frames); },
              ::testing::ThrowsMessage<ConfigError>(HasSubstr("model_params.time_steps")));

  auto unstable = small_settings();
  unstable.geometry = data::make_geometry(1.0, 0.5, 0.125, 0.05);
  EXPECT_THAT([&] { data::validate_settings(unstable); },
              ::testing::ThrowsMessage<ConfigError>(HasSubstr("unstable")));

  auto tiny = small_settings(data::SegmentStrategy::Challenge2);
  tiny.geometry = data::make_geometry(1.0, 1.0, 0.3, 0.3);
  EXPECT_THAT([&] { data::validate_settings(tiny); },
              ::testing::ThrowsMessage<ConfigError>(HasSubstr("challenge_2 needs at least 5 grid points")));
}

TEST(SaveDatasets, RoundTripIsExact) {
  const auto dir = testing::scratch_dir("SaveDatasets.RoundTripIsExact");
  rng::Generator gen(1);
  const auto settings = small_settings();
  const auto datasets = data::generate_datasets(settings, gen);
  data::save_datasets(datasets, dir / "datasets");
  for (const char* name : data::dataset_file_names()) {
    EXPECT_TRUE(std::filesystem::exists(dir / "datasets" / name)) << name;
  }
  const auto loaded = data::load_datasets(dir / "datasets", settings.geometry);
  EXPECT_TRUE(loaded.train.data == datasets.train.data);
  EXPECT_EQ(loaded.val.alphas, datasets.val.alphas);
  EXPECT_EQ(loaded.test.dts, datasets.test.dts);
  EXPECT_EQ(loaded.train.n, 14);
  EXPECT_EQ(loaded.val.n, 4);
  EXPECT_EQ(loaded.test.t, settings.time_steps);
}

TEST(SaveDatasets, FailsWhenFolderIsAFile) {
  const auto dir = testing::scratch_dir("SaveDatasets.FailsWhenFolderIsAFile");
  { std::ofstream(dir / "taken") << "x"; }
  rng::Generator gen(1);
  const auto datasets = data::generate_datasets(small_settings(), gen);
  EXPECT_THAT([&] { data::save_datasets(datasets, dir / "taken"); },
              ::testing::ThrowsMessage<Error>(HasSubstr("cannot create the datasets folder")));
}

// A user's folder of nine float64 files: (n, t, ny, nx) data of `fill` plus α and dt of 0.05.
void write_user_split(const std::filesystem::path& dir, const std::string& name, std::int64_t n,
                      std::int64_t t, std::int64_t ny, std::int64_t nx, double fill = 0.5) {
  std::vector<double> data(static_cast<std::size_t>(n * t * ny * nx), fill);
  std::vector<double> vector(static_cast<std::size_t>(n), 0.05);
  const std::vector<std::int64_t> shape{n, t, ny, nx};
  const std::vector<std::int64_t> vector_shape{n};
  data::write_npy(dir / (name + "_data.npy"), std::span<const double>(data), shape);
  data::write_npy(dir / (name + "_alphas.npy"), std::span<const double>(vector), vector_shape);
  data::write_npy(dir / (name + "_dts.npy"), std::span<const double>(vector), vector_shape);
}

std::filesystem::path user_folder(const std::string& test) {
  auto dir = testing::scratch_dir(test);
  write_user_split(dir, "train", 3, 5, 7, 9);
  write_user_split(dir, "val", 2, 5, 7, 9);
  write_user_split(dir, "test", 1, 5, 7, 9);
  return dir;
}

std::string load_error(const std::filesystem::path& dir) {
  try {
    data::load_datasets(dir, data::make_geometry(1.0, 0.75, 0.125, 0.125));
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(LoadDatasets, AcceptsFloat64Files) {
  const auto dir = user_folder("LoadDatasets.AcceptsFloat64Files");
  const auto loaded = data::load_datasets(dir, data::make_geometry(1.0, 0.75, 0.125, 0.125));
  EXPECT_EQ(loaded.train.n, 3);
  EXPECT_EQ(loaded.test.n, 1);
  EXPECT_EQ(loaded.val.data.size(), 2u * 5 * 7 * 9);
  EXPECT_EQ(loaded.val.data[17], 0.5f);
  EXPECT_EQ(loaded.train.alphas[2], 0.05f);
}

TEST(LoadDatasets, RejectsWrongGrid) {
  const auto dir = user_folder("LoadDatasets.RejectsWrongGrid");
  write_user_split(dir, "val", 2, 5, 9, 9);
  const std::string message = load_error(dir);
  EXPECT_THAT(message, HasSubstr("val_data.npy"));
  EXPECT_THAT(message, HasSubstr("grid 9x9 (ny x nx) does not match the geometry's 7x9"));
}

TEST(LoadDatasets, RejectsDifferentFrameCounts) {
  const auto dir = user_folder("LoadDatasets.RejectsDifferentFrameCounts");
  write_user_split(dir, "test", 1, 4, 7, 9);
  EXPECT_THAT(load_error(dir), HasSubstr("test_data.npy: 4 frames, but train_data.npy has 5"));
}

TEST(LoadDatasets, RejectsNonFiniteValues) {
  const auto dir = user_folder("LoadDatasets.RejectsNonFiniteValues");
  write_user_split(dir, "train", 3, 5, 7, 9, std::numeric_limits<double>::infinity());
  EXPECT_THAT(load_error(dir), HasSubstr("train_data.npy: value inf at flat index 0 is not finite"));
  // A float64 value beyond float32's range becomes infinite and is rejected too.
  write_user_split(dir, "train", 3, 5, 7, 9, 1e300);
  EXPECT_THAT(load_error(dir), HasSubstr("is not finite"));
}

TEST(LoadDatasets, RejectsNonPositiveAlphaAndDt) {
  const auto dir = user_folder("LoadDatasets.RejectsNonPositiveAlphaAndDt");
  const std::vector<double> bad{0.05, -0.01};
  const std::vector<std::int64_t> shape{2};
  data::write_npy(dir / "val_dts.npy", std::span<const double>(bad), shape);
  EXPECT_THAT(load_error(dir),
              HasSubstr("val_dts.npy: entry 1 is -0.01; every value must be finite and positive"));

  const std::vector<double> nan_alpha{std::numeric_limits<double>::quiet_NaN(), 0.05};
  data::write_npy(dir / "val_alphas.npy", std::span<const double>(nan_alpha), shape);
  EXPECT_THAT(load_error(dir), HasSubstr("val_alphas.npy: entry 0 is nan"));
}

TEST(LoadDatasets, RejectsMismatchedVectorLength) {
  const auto dir = user_folder("LoadDatasets.RejectsMismatchedVectorLength");
  const std::vector<double> three{0.05, 0.05, 0.05};
  const std::vector<std::int64_t> shape{3};
  data::write_npy(dir / "test_alphas.npy", std::span<const double>(three), shape);
  EXPECT_THAT(load_error(dir),
              HasSubstr("test_alphas.npy: shape (3,) does not match the data file's 1 samples"));
}

TEST(LoadDatasets, RejectsWrongRank) {
  const auto dir = user_folder("LoadDatasets.RejectsWrongRank");
  const std::vector<double> flat(std::size_t{5} * 63, 0.5);
  const std::vector<std::int64_t> shape{5, 7, 9};
  data::write_npy(dir / "train_data.npy", std::span<const double>(flat), shape);
  EXPECT_THAT(load_error(dir), HasSubstr("train_data.npy: shape (5, 7, 9) is not 4-D"));
}

TEST(LoadDatasets, RejectsMissingFileAndFolder) {
  const auto dir = user_folder("LoadDatasets.RejectsMissingFile");
  std::filesystem::remove(dir / "val_alphas.npy");
  EXPECT_THAT(load_error(dir), HasSubstr("val_alphas.npy: file not found"));
  EXPECT_THAT(load_error(dir / "absent"), HasSubstr("is not a folder"));
}

}  // namespace
}  // namespace kbeta
