// Hostile .npy files and dataset folders: every case must raise kbeta::Error with a one-line
// message naming the file, never crash, hang or allocate what a corrupt header claims.
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/fixtures.hpp"
#include "core/error.hpp"
#include "data/datasets.hpp"
#include "data/geometry.hpp"
#include "data/npy.hpp"

namespace kbeta {
namespace {

using ::testing::HasSubstr;

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string npy_v1(const std::string& dict, std::size_t data_bytes) {
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(dict.size() & 0xff));
  out.push_back(static_cast<char>((dict.size() >> 8) & 0xff));
  return out + dict + std::string(data_bytes, '\0');
}

std::string read_error(const std::filesystem::path& path) {
  try {
    data::read_npy_f32(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

std::string header_dict(const std::string& shape, const std::string& descr = "<f4") {
  return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
}

TEST(NpyHostile, NegativeDimension) {
  const auto path = testing::scratch_dir("NpyHostile.NegativeDimension") / "a.npy";
  write_bytes(path, npy_v1(header_dict("(-1, 4)"), 0));
  EXPECT_THAT(read_error(path), HasSubstr("expected a non-negative integer"));
}

TEST(NpyHostile, ShapeProductOverflows) {
  const auto path = testing::scratch_dir("NpyHostile.ShapeProductOverflows") / "a.npy";
  write_bytes(path, npy_v1(header_dict("(4294967296, 4294967296)"), 16));
  EXPECT_THAT(read_error(path), HasSubstr("overflows 64-bit sizes"));
  write_bytes(path, npy_v1(header_dict("(99999999999999999999,)"), 16));
  EXPECT_THAT(read_error(path), HasSubstr("a dimension overflows 64 bits"));
}

TEST(NpyHostile, HugeShapeInSmallFileAllocatesNothing) {
  const auto path = testing::scratch_dir("NpyHostile.HugeShapeInSmallFile") / "a.npy";
  write_bytes(path, npy_v1(header_dict("(1000000000000,)"), 16));
  EXPECT_THAT(read_error(path), HasSubstr("truncated .npy file: the shape needs 4000000000000 data bytes"));
}

TEST(NpyHostile, TooManyDimensions) {
  const auto path = testing::scratch_dir("NpyHostile.TooManyDimensions") / "a.npy";
  std::string shape = "(";
  for (int k = 0; k < 40; ++k) {
    shape += "1, ";
  }
  write_bytes(path, npy_v1(header_dict(shape + ")"), 4));
  EXPECT_THAT(read_error(path), HasSubstr("more than 32 dimensions"));
}

TEST(NpyHostile, ControlCharactersInDtypeStayOneLine) {
  const auto path = testing::scratch_dir("NpyHostile.ControlCharactersInDtype") / "a.npy";
  write_bytes(path, npy_v1(header_dict("(1,)", "<f4\n\x1b[31m"), 4));
  const std::string message = read_error(path);
  EXPECT_THAT(message, HasSubstr("unsupported dtype"));
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_EQ(message.find('\x1b'), std::string::npos);
}

TEST(NpyHostile, WrongDtypes) {
  const auto path = testing::scratch_dir("NpyHostile.WrongDtypes") / "a.npy";
  for (const std::string descr : {"<i4", "|u1", "<f2", "<c8", "|b1", "O", ""}) {
    write_bytes(path, npy_v1(header_dict("(1,)", descr), 4));
    EXPECT_THAT(read_error(path), HasSubstr("unsupported dtype '" + descr + "'"));
  }
  write_bytes(path, npy_v1(header_dict("(1,)", ">f8"), 8));
  EXPECT_THAT(read_error(path), HasSubstr("big-endian"));
}

TEST(NpyHostile, FolderAndDeviceInsteadOfFile) {
  const auto dir = testing::scratch_dir("NpyHostile.FolderInsteadOfFile");
  EXPECT_THAT(read_error(dir), HasSubstr(dir.string()));
  EXPECT_THAT(read_error("/dev/null"), HasSubstr("/dev/null"));
}

TEST(NpyHostile, FifoIsRejectedWithoutBlocking) {
  // Opening a FIFO for reading blocks until a writer appears, so it must be rejected first.
  const auto path = testing::scratch_dir("NpyHostile.FifoIsRejected") / "train_data.npy";
  std::filesystem::remove(path);
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  EXPECT_THAT(read_error(path), HasSubstr("not a regular file"));
}

TEST(NpyHostile, ZeroSamplesInDataset) {
  const auto dir = testing::scratch_dir("NpyHostile.ZeroSamplesInDataset");
  const std::vector<std::int64_t> empty_shape{0, 5, 7, 9};
  const std::vector<std::int64_t> vector_shape{0};
  const std::vector<float> none;
  for (const std::string split : {"train", "val", "test"}) {
    data::write_npy(dir / (split + "_data.npy"), std::span<const float>(none), empty_shape);
    data::write_npy(dir / (split + "_alphas.npy"), std::span<const float>(none), vector_shape);
    data::write_npy(dir / (split + "_dts.npy"), std::span<const float>(none), vector_shape);
  }
  try {
    data::load_datasets(dir, data::make_geometry(1.0, 0.75, 0.125, 0.125));
    FAIL() << "a dataset with zero samples was accepted";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("train_data.npy: shape (0, 5, 7, 9) has no samples or no frames"));
  }
}

TEST(NpyHostile, DatasetFolderNameTooLong) {
  const std::filesystem::path dir =
      testing::scratch_dir("NpyHostile.DatasetFolderNameTooLong") / std::string(5000, 'x');
  try {
    data::load_datasets(dir, data::make_geometry(1.0, 0.75, 0.125, 0.125));
    FAIL() << "an impossible folder name was accepted";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("data.dir"));
  }
}

TEST(NpyHostile, DatasetFileIsAFolder) {
  const auto dir = testing::scratch_dir("NpyHostile.DatasetFileIsAFolder");
  for (const char* name : data::dataset_file_names()) {
    std::filesystem::create_directories(dir / name);
  }
  try {
    data::load_datasets(dir, data::make_geometry(1.0, 0.75, 0.125, 0.125));
    FAIL() << "folders named like the data files were accepted";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("train_data.npy"));
  }
}

}  // namespace
}  // namespace kbeta
