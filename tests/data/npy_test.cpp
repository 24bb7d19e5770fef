// The .npy reader and writer: round trips and every rejected form, each with its message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "common/fixtures.hpp"
#include "core/error.hpp"
#include "data/npy.hpp"
#include "io/atomic_file.hpp"

namespace kbeta {
namespace {

using ::testing::HasSubstr;

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A .npy file with a hand-written header dict, the given version and `data_bytes` zero bytes.
std::string npy_bytes(const std::string& dict, int major, std::size_t data_bytes) {
  std::string out("\x93NUMPY", 6);
  out.push_back(static_cast<char>(major));
  out.push_back(0);
  const std::size_t length = dict.size();
  const std::size_t width = major == 1 ? 2 : 4;
  for (std::size_t k = 0; k < width; ++k) {
    out.push_back(static_cast<char>((length >> (8 * k)) & 0xff));
  }
  out += dict;
  out.append(data_bytes, '\0');
  return out;
}

std::string error_of(const std::filesystem::path& path) {
  try {
    data::read_npy_f32(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Npy, Float32RoundTrip) {
  const auto dir = testing::scratch_dir("Npy.Float32RoundTrip");
  std::vector<float> values(2 * 3 * 4 * 5);
  for (std::size_t k = 0; k < values.size(); ++k) {
    values[k] = static_cast<float>(k) * 0.37f - 3.0f;
  }
  const std::vector<std::int64_t> shape{2, 3, 4, 5};
  data::write_npy(dir / "a.npy", std::span<const float>(values), shape);

  data::NpyHeader header;
  const auto read = data::read_npy_f32(dir / "a.npy", &header);
  EXPECT_EQ(read, values);
  EXPECT_EQ(header.shape, shape);
  EXPECT_EQ(header.dtype, data::NpyDType::F32);
  EXPECT_EQ(header.major_version, 1);
  EXPECT_EQ(header.data_offset % 64, 0u);
}

TEST(Npy, Float64ConvertsToFloat32) {
  const auto dir = testing::scratch_dir("Npy.Float64ConvertsToFloat32");
  const std::vector<double> values{0.1, -2.5, 1e-3, 3.0};
  const std::vector<std::int64_t> shape{4};
  data::write_npy(dir / "a.npy", std::span<const double>(values), shape);

  data::NpyHeader header;
  const auto read = data::read_npy_f32(dir / "a.npy", &header);
  ASSERT_EQ(read.size(), values.size());
  for (std::size_t k = 0; k < values.size(); ++k) {
    EXPECT_EQ(read[k], static_cast<float>(values[k])) << "at " << k;
  }
  EXPECT_EQ(header.dtype, data::NpyDType::F64);
}

TEST(Npy, HeaderMatchesNumpyLayout) {
  const std::vector<std::int64_t> shape{20};
  const std::string header = data::make_npy_header(data::NpyDType::F32, shape);
  EXPECT_EQ(header.size() % 64, 0u);
  EXPECT_THAT(header, HasSubstr("{'descr': '<f4', 'fortran_order': False, 'shape': (20,), }"));
  EXPECT_EQ(header.back(), '\n');
  const std::vector<std::int64_t> shape4{2800, 401, 26, 26};
  EXPECT_THAT(data::make_npy_header(data::NpyDType::F64, shape4), HasSubstr("'shape': (2800, 401, 26, 26)"));
}

TEST(Npy, ReadsVersions2And3) {
  const auto dir = testing::scratch_dir("Npy.ReadsVersions2And3");
  for (int major : {2, 3}) {
    const auto path = dir / ("v" + std::to_string(major) + ".npy");
    std::string bytes = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }\n", major, 0);
    const float values[2] = {1.5f, -0.25f};
    bytes.append(reinterpret_cast<const char*>(values), sizeof(values));
    write_bytes(path, bytes);
    data::NpyHeader header;
    const auto read = data::read_npy_f32(path, &header);
    EXPECT_EQ(header.major_version, major);
    ASSERT_EQ(read.size(), 2u);
    EXPECT_EQ(read[0], 1.5f);
    EXPECT_EQ(read[1], -0.25f);
  }
}

TEST(Npy, AcceptsKeysInAnyOrderAndScalarShape) {
  const auto dir = testing::scratch_dir("Npy.AcceptsKeysInAnyOrder");
  write_bytes(dir / "a.npy", npy_bytes("{'shape': (), 'fortran_order': False, 'descr': '<f8'}\n", 1, 8));
  data::NpyHeader header;
  const auto read = data::read_npy_f32(dir / "a.npy", &header);
  EXPECT_TRUE(header.shape.empty());
  EXPECT_EQ(read.size(), 1u);
}

TEST(Npy, RejectsFortranOrder) {
  const auto dir = testing::scratch_dir("Npy.RejectsFortranOrder");
  write_bytes(dir / "a.npy",
              npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }\n", 1, 16));
  const std::string message = error_of(dir / "a.npy");
  EXPECT_THAT(message, HasSubstr("a.npy"));
  EXPECT_THAT(message, HasSubstr("Fortran-order arrays are not supported"));
}

TEST(Npy, RejectsBigEndian) {
  const auto dir = testing::scratch_dir("Npy.RejectsBigEndian");
  write_bytes(dir / "a.npy", npy_bytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n", 1, 8));
  EXPECT_THAT(error_of(dir / "a.npy"), HasSubstr("big-endian array ('>f4') is not supported"));
}

TEST(Npy, RejectsOtherDtypes) {
  const auto dir = testing::scratch_dir("Npy.RejectsOtherDtypes");
  for (const char* descr : {"<i4", "<f2", "|u1", "<c8", "|b1"}) {
    write_bytes(dir / "a.npy", npy_bytes(std::string("{'descr': '") + descr +
                                             "', 'fortran_order': False, 'shape': (2,), }\n",
                                         1, 8));
    EXPECT_THAT(error_of(dir / "a.npy"), HasSubstr(std::string("unsupported dtype '") + descr + "'"))
        << descr;
  }
}

TEST(Npy, RejectsTruncatedData) {
  const auto dir = testing::scratch_dir("Npy.RejectsTruncatedData");
  write_bytes(dir / "a.npy",
              npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }\n", 1, 47));
  const std::string message = error_of(dir / "a.npy");
  EXPECT_THAT(message, HasSubstr("truncated .npy file"));
  EXPECT_THAT(message, HasSubstr("needs 48 data bytes but only 47"));
}

TEST(Npy, RejectsTrailingBytes) {
  const auto dir = testing::scratch_dir("Npy.RejectsTrailingBytes");
  write_bytes(dir / "a.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n", 1, 13));
  EXPECT_THAT(error_of(dir / "a.npy"), HasSubstr("1 unexpected bytes after the array data"));
}

TEST(Npy, RejectsTruncatedHeader) {
  const auto dir = testing::scratch_dir("Npy.RejectsTruncatedHeader");
  std::string bytes = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n", 1, 0);
  write_bytes(dir / "a.npy", bytes.substr(0, 30));
  EXPECT_THAT(error_of(dir / "a.npy"), HasSubstr("truncated .npy header"));
  write_bytes(dir / "b.npy", bytes.substr(0, 7));
  EXPECT_THAT(error_of(dir / "b.npy"), HasSubstr("not a .npy file"));
}

TEST(Npy, RejectsEveryTruncation) {
  const auto dir = testing::scratch_dir("Npy.RejectsEveryTruncation");
  const std::vector<float> values{1.0f, 2.0f, 3.0f};
  const std::vector<std::int64_t> shape{3};
  data::write_npy(dir / "whole.npy", std::span<const float>(values), shape);
  const std::string bytes = io::read_file(dir / "whole.npy");
  ASSERT_EQ(bytes.size(), 128u + 12u);  // NumPy also writes a 128-byte header here
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    write_bytes(dir / "cut.npy", bytes.substr(0, length));
    EXPECT_THROW(data::read_npy_f32(dir / "cut.npy"), Error) << "length " << length;
  }
}

TEST(Npy, RejectsAbsurdHeaderLength) {
  const auto dir = testing::scratch_dir("Npy.RejectsAbsurdHeaderLength");
  std::string bytes("\x93NUMPY\x02\x00\xff\xff\xff\xff", 12);
  bytes += "{'descr': '<f4'}";
  write_bytes(dir / "a.npy", bytes);
  EXPECT_THAT(error_of(dir / "a.npy"), HasSubstr("header length 4294967295 exceeds the limit"));
}

TEST(Npy, RejectsBadMagicAndVersion) {
  const auto dir = testing::scratch_dir("Npy.RejectsBadMagicAndVersion");
  write_bytes(dir / "a.npy", std::string("PK\x03\x04 this is a zip file", 24));
  EXPECT_THAT(error_of(dir / "a.npy"), HasSubstr("not a .npy file"));
  write_bytes(dir / "b.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", 4, 4));
  EXPECT_THAT(error_of(dir / "b.npy"), HasSubstr("unsupported .npy version 4.0"));
}

TEST(Npy, RejectsMalformedDict) {
  const auto dir = testing::scratch_dir("Npy.RejectsMalformedDict");
  const std::vector<std::pair<std::string, std::string>> cases{
      {"{'descr': '<f4', 'shape': (1,), }\n", "missing one of the keys"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}\n",
       "unexpected or repeated key 'extra'"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}\n", "repeated key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }\n", "expected a non-negative integer"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }\n", "overflows 64 bits"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } junk\n", "unexpected text after the dict"},
      {"{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}\n", "invalid .npy header"},
      {"{'descr': '<f4', 'fortran_order': false, 'shape': (1,)}\n", "expected True or False"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }\n",
       "overflows 64-bit sizes"},
  };
  for (const auto& [dict, expected] : cases) {
    write_bytes(dir / "a.npy", npy_bytes(dict, 1, 4));
    EXPECT_THAT(error_of(dir / "a.npy"), HasSubstr(expected)) << dict;
  }
}

TEST(Npy, MissingFileNamesPath) {
  const auto dir = testing::scratch_dir("Npy.MissingFileNamesPath");
  const std::string message = error_of(dir / "absent.npy");
  EXPECT_THAT(message, HasSubstr("absent.npy"));
  EXPECT_THAT(message, HasSubstr("cannot open"));
}

TEST(Npy, WriteLeavesNoTemporaryFile) {
  const auto dir = testing::scratch_dir("Npy.WriteLeavesNoTemporaryFile");
  const std::vector<float> values{1.0f, 2.0f};
  const std::vector<std::int64_t> shape{2};
  data::write_npy(dir / "a.npy", std::span<const float>(values), shape);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) {
    ++files;
  }
  EXPECT_EQ(files, 1u);
  EXPECT_THROW(data::write_npy(dir / "missing-folder" / "a.npy", std::span<const float>(values), shape),
               Error);
}

}  // namespace
}  // namespace kbeta
