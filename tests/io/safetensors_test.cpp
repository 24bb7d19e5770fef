// Feeds the safetensors reader corrupt and hostile files; each must raise kbeta::Error with a
// message that names the problem, never crash or allocate the sizes the file claims.
#include "io/safetensors.hpp"

#include <cstdint>
#include <string>

#include <sys/stat.h>

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/fixtures.hpp"
#include "core/error.hpp"

namespace kbeta::io {
namespace {

using ::testing::HasSubstr;

std::string with_length(std::uint64_t length, const std::string& rest) {
  std::string bytes;
  for (int k = 0; k < 8; ++k) {
    bytes.push_back(static_cast<char>((length >> (8 * k)) & 0xffu));
  }
  return bytes + rest;
}

// A file whose header is `json` followed by `data`.
std::string file_with(const std::string& json, const std::string& data = "") {
  return with_length(json.size(), json + data);
}

std::string parse_error(const std::string& bytes) {
  try {
    Safetensors::parse(bytes, "test.safetensors");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(SafetensorsParse, AcceptsValidFile) {
  const std::string data(8, '\0');
  const Safetensors file =
      Safetensors::parse(file_with(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", data),
                         "test.safetensors");
  EXPECT_EQ(file.read_f32("w").size(), 2u);
}

TEST(SafetensorsParse, RejectsShortFile) {
  EXPECT_THAT(parse_error(""), HasSubstr("too short for the 8-byte header length"));
  EXPECT_THAT(parse_error("abc"), HasSubstr("too short"));
}

TEST(SafetensorsParse, RejectsHugeHeaderLength) {
  EXPECT_THAT(parse_error(with_length(~std::uint64_t{0}, "{}")), HasSubstr("exceeds the limit"));
  EXPECT_THAT(parse_error(with_length(~std::uint64_t{0} - 7, "{}")), HasSubstr("exceeds the limit"));
  EXPECT_THAT(parse_error(with_length(1000, "{}")), HasSubstr("truncated file"));
}

TEST(SafetensorsParse, RejectsInvalidJson) {
  EXPECT_THAT(parse_error(file_with("{\"w\": ")), HasSubstr("not valid JSON"));
  EXPECT_THAT(parse_error(file_with("[1, 2]")), HasSubstr("not a JSON object"));
  EXPECT_THAT(parse_error(file_with(std::string("\x01\xff\n\0", 4))), HasSubstr("not valid JSON"));
}

TEST(SafetensorsParse, JsonErrorStaysOneLine) {
  const std::string message = parse_error(file_with("{\"w\"\n\n: \x01}"));
  EXPECT_THAT(message, HasSubstr("not valid JSON"));
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(SafetensorsParse, RejectsOffsetsOutsideFile) {
  const std::string message =
      parse_error(file_with(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", "abcd"));
  EXPECT_THAT(message, HasSubstr("lie outside the 4 data bytes"));
  EXPECT_THAT(parse_error(file_with(R"({"w": {"dtype": "F32", "shape": [0], "data_offsets": [8, 4]}})",
                                    std::string(8, '\0'))),
              HasSubstr("data_offsets [8, 4]"));
  EXPECT_THAT(parse_error(file_with(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}})")),
              HasSubstr("two non-negative integers"));
  EXPECT_THAT(
      parse_error(file_with(
          R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [18446744073709551612, 18446744073709551615]}})")),
      HasSubstr("lie outside"));
}

TEST(SafetensorsParse, RejectsOverlappingTensors) {
  const std::string json = R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                           R"( "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})";
  EXPECT_THAT(parse_error(file_with(json, std::string(12, '\0'))),
              HasSubstr("tensors overlap at data offset 4"));
}

TEST(SafetensorsParse, RejectsOverflowingShapes) {
  EXPECT_THAT(parse_error(file_with(
                  R"({"w": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 0]}})")),
              HasSubstr("shape overflows 64-bit sizes at dimension 1"));
  EXPECT_THAT(parse_error(file_with(
                  R"({"w": {"dtype": "F64", "shape": [4611686018427387904], "data_offsets": [0, 0]}})")),
              HasSubstr("needs"));
  EXPECT_THAT(parse_error(file_with(R"({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 0]}})")),
              HasSubstr("invalid dimension -1"));
  EXPECT_THAT(parse_error(file_with(
                  R"({"w": {"dtype": "F32", "shape": [18446744073709551615], "data_offsets": [0, 0]}})")),
              HasSubstr("invalid dimension"));
  EXPECT_THAT(parse_error(file_with(R"({"w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 0]}})")),
              HasSubstr("invalid dimension 1.5"));
  EXPECT_THAT(parse_error(file_with(R"({"w": {"dtype": "F32", "shape": 3, "data_offsets": [0, 0]}})")),
              HasSubstr("shape is not a list"));
}

TEST(SafetensorsParse, RejectsUnknownDtype) {
  EXPECT_THAT(
      parse_error(file_with(R"({"w": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}})", "x")),
      HasSubstr("unknown dtype \"F8_E4M3\""));
  EXPECT_THAT(parse_error(file_with(R"({"w": {"dtype": 4, "shape": [1], "data_offsets": [0, 1]}})", "x")),
              HasSubstr("unknown dtype 4"));
  EXPECT_THAT(parse_error(file_with(R"({"w": {"shape": [1], "data_offsets": [0, 1]}})", "x")),
              HasSubstr("lacks dtype"));
  EXPECT_THAT(parse_error(file_with(R"({"w": 7})")), HasSubstr("lacks dtype"));
  EXPECT_THAT(parse_error(file_with(R"({"__metadata__": {"a": 1}})")), HasSubstr("metadata value 'a'"));
}

TEST(SafetensorsParse, DeeplyNestedDtypeIsRejectedWithoutRecursion) {
  // A million nested arrays fit well inside the header limit; echoing them back must not
  // recurse once per level.
  const std::size_t depth = 1'000'000;
  const std::string nested = std::string(depth, '[') + std::string(depth, ']');
  const std::string message = parse_error(
      file_with(R"({"w": {"dtype": )" + nested + R"(, "shape": [1], "data_offsets": [0, 1]}})", "x"));
  EXPECT_THAT(message, HasSubstr("tensor 'w'"));
  EXPECT_LT(message.size(), 1000u);
}

TEST(SafetensorsParse, OverflowMessageSkipsNestedRest) {
  const std::size_t depth = 1'000'000;
  const std::string nested = std::string(depth, '[') + std::string(depth, ']');
  const std::string message =
      parse_error(file_with(R"({"w": {"dtype": "F32", "shape": [4294967296, 4294967296, )" + nested +
                            R"(], "data_offsets": [0, 0]}})"));
  EXPECT_THAT(message, HasSubstr("shape overflows 64-bit sizes at dimension 1"));
}

TEST(SafetensorsParse, LongNameIsShortened) {
  const std::string name(100'000, 'n');
  const std::string message = parse_error(file_with("{\"" + name + "\": 7}"));
  EXPECT_THAT(message, HasSubstr("lacks dtype"));
  EXPECT_LT(message.size(), 300u);
}

TEST(SafetensorsRead, WrongDtypeForReader) {
  const Safetensors file = Safetensors::parse(
      file_with(R"({"w": {"dtype": "I32", "shape": [1], "data_offsets": [0, 4]}})", "abcd"),
      "test.safetensors");
  try {
    file.read_f32("w");
    FAIL() << "read_f32 accepted an I32 tensor";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("has dtype I32, expected F32 or F64"));
  }
  EXPECT_THROW(file.read_u32("missing"), Error);
}

TEST(SafetensorsRead, EmptyU32Tensor) {
  const Safetensors file = Safetensors::parse(
      file_with(R"({"w": {"dtype": "U32", "shape": [0], "data_offsets": [0, 0]}})"), "test.safetensors");
  EXPECT_TRUE(file.read_u32("w").empty());
}

TEST(SafetensorsLoad, FifoIsRejectedWithoutBlocking) {
  const auto path = kbeta::testing::scratch_dir("SafetensorsLoad.FifoIsRejected") / "model.safetensors";
  std::filesystem::remove(path);
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  try {
    Safetensors::load(path);
    FAIL() << "loading a FIFO succeeded";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("not a regular file"));
  }
}

TEST(SafetensorsLoad, MissingFileAndFolder) {
  EXPECT_THROW(Safetensors::load("/nonexistent/x.safetensors"), Error);
  try {
    Safetensors::load("/tmp");
    FAIL() << "loading a folder succeeded";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot read /tmp: not a regular file"));
  }
}

}  // namespace
}  // namespace kbeta::io
