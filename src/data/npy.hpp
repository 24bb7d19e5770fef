// Reader and writer for NumPy's .npy format (versions 1.0, 2.0 and 3.0): a magic string, a
// version, a little-endian header length (2 bytes in 1.0, 4 bytes in 2.0 and 3.0), a Python
// dict literal {'descr': …, 'fortran_order': …, 'shape': (…)} padded with spaces and ending in
// a newline, then the raw array. Only little-endian float32 ('<f4') and float64 ('<f8') arrays
// in C order are accepted; everything else is rejected with a message naming the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace kbeta::data {

enum class NpyDType { F32, F64 };

struct NpyHeader {
  int major_version = 1;
  int minor_version = 0;
  NpyDType dtype = NpyDType::F32;
  std::vector<std::int64_t> shape;
  std::size_t data_offset = 0;  // bytes before the array

  std::size_t numel() const;
  std::size_t item_size() const { return dtype == NpyDType::F32 ? 4 : 8; }
};

// Headers longer than this are rejected as corrupt (NumPy's own writer stays far below it).
inline constexpr std::size_t kMaxNpyHeaderBytes = 1 << 20;

// Parses the header from the first bytes of a file of `file_size` bytes and checks that the
// array's byte count equals the rest of the file. `origin` names the file in error messages.
// Never reads past `bytes`; throws Error on any malformed or unsupported header.
NpyHeader parse_npy_header(std::span<const char> bytes, std::uint64_t file_size, const std::string& origin);

// Reads and validates the header of a file.
NpyHeader read_npy_header(const std::filesystem::path& path);

// Reads a float32 or float64 array as float32 (float64 is converted in chunks, so no double
// copy of the array is held). Returns the header through `header` when it is not null.
std::vector<float> read_npy_f32(const std::filesystem::path& path, NpyHeader* header = nullptr);

// Writes a C-order little-endian array atomically (temporary file, then rename). The header is
// version 1.0 unless it needs more than 65535 bytes. The element count must match the shape.
void write_npy(const std::filesystem::path& path, std::span<const float> values,
               std::span<const std::int64_t> shape);
void write_npy(const std::filesystem::path& path, std::span<const double> values,
               std::span<const std::int64_t> shape);

// The header bytes write_npy() puts before an array of this dtype and shape.
std::string make_npy_header(NpyDType dtype, std::span<const std::int64_t> shape);

}  // namespace kbeta::data
