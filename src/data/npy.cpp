#include "data/npy.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "core/error.hpp"
#include "io/atomic_file.hpp"

namespace kbeta::data {

static_assert(std::endian::native == std::endian::little, "the .npy code assumes a little-endian host");

namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr std::size_t kPreambleV1 = 10;  // magic (6) + version (2) + uint16 length
constexpr std::size_t kPreambleV2 = 12;  // magic (6) + version (2) + uint32 length
constexpr std::size_t kAlignment = 64;   // NumPy aligns the array start to 64 bytes

// A cursor over the header's Python dict literal.
class DictParser {
 public:
  DictParser(std::string_view text, const std::string& origin) : text_(text), origin_(origin) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(fmt::format("{}: invalid .npy header ({}) in {}", origin_, what, quoted()));
  }

  void skip_spaces() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n')) {
      ++pos_;
    }
  }

  bool consume(char c) {
    skip_spaces();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void expect(char c) {
    if (!consume(c)) {
      fail(fmt::format("expected '{}' at byte {}", c, pos_));
    }
  }

  std::string string_literal() {
    skip_spaces();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) {
      fail(fmt::format("expected a quoted string at byte {}", pos_));
    }
    const char quote = text_[pos_++];
    const std::size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) {
      fail("unterminated string");
    }
    std::string value(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return value;
  }

  bool boolean() {
    skip_spaces();
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    fail(fmt::format("expected True or False at byte {}", pos_));
  }

  std::int64_t integer() {
    skip_spaces();
    const std::size_t start = pos_;
    std::int64_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      const int digit = text_[pos_] - '0';
      if (value > (std::numeric_limits<std::int64_t>::max() - digit) / 10) {
        fail("a dimension overflows 64 bits");
      }
      value = value * 10 + digit;
      ++pos_;
    }
    if (pos_ == start) {
      fail(fmt::format("expected a non-negative integer at byte {}", pos_));
    }
    // NumPy writes Python ints, which may carry an old 'L' suffix.
    if (pos_ < text_.size() && text_[pos_] == 'L') {
      ++pos_;
    }
    return value;
  }

  std::vector<std::int64_t> shape_tuple() {
    expect('(');
    std::vector<std::int64_t> shape;
    if (consume(')')) {
      return shape;
    }
    while (true) {
      shape.push_back(integer());
      if (consume(')')) {
        break;
      }
      expect(',');
      if (consume(')')) {
        break;
      }
      if (shape.size() > 32) {
        fail("more than 32 dimensions");
      }
    }
    return shape;
  }

  bool at_end() {
    skip_spaces();
    return pos_ == text_.size();
  }

 private:
  std::string quoted() const {
    std::string shown(text_.substr(0, std::min<std::size_t>(text_.size(), 120)));
    for (char& c : shown) {
      if (c < 0x20 || c > 0x7e) {
        c = '?';
      }
    }
    return fmt::format("'{}'", shown);
  }

  std::string_view text_;
  const std::string& origin_;
  std::size_t pos_ = 0;
};

NpyDType parse_descr(const std::string& descr, const std::string& origin) {
  if (descr == "<f4") {
    return NpyDType::F32;
  }
  if (descr == "<f8") {
    return NpyDType::F64;
  }
  if (descr == ">f4" || descr == ">f8") {
    throw Error(
        fmt::format("{}: big-endian array ('{}') is not supported; save it as little-endian "
                    "('<f4' or '<f8'), e.g. with numpy: a.astype('<f4')",
                    origin, descr));
  }
  throw Error(
      fmt::format("{}: unsupported dtype '{}'; expected float32 ('<f4') or float64 ('<f8')", origin, descr));
}

std::uint64_t read_le(std::span<const char> bytes, std::size_t offset, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t k = 0; k < width; ++k) {
    value |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[offset + k])) << (8 * k);
  }
  return value;
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using FileHandle = std::unique_ptr<std::FILE, FileCloser>;

FileHandle open_for_reading(const std::filesystem::path& path) {
  // Opening a FIFO would block until a writer appears, and a device has no size to check.
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!error && status.type() != std::filesystem::file_type::regular) {
    throw Error(fmt::format("{}: not a regular file; expected a .npy file", path.string()));
  }
  FileHandle file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    throw Error(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  }
  return file;
}

std::uint64_t file_size_of(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    throw Error(fmt::format("{}: cannot read the file size: {}", path.string(), ec.message()));
  }
  return size;
}

void read_exactly(std::FILE* file, void* out, std::size_t bytes, std::size_t offset,
                  const std::filesystem::path& path) {
  if (std::fread(out, 1, bytes, file) != bytes) {
    throw Error(fmt::format("{}: failed to read {} bytes at offset {} (file truncated or unreadable)",
                            path.string(), bytes, offset));
  }
}

NpyHeader read_header(std::FILE* file, const std::filesystem::path& path) {
  const std::uint64_t size = file_size_of(path);
  // Read the preamble, then exactly the header length it announces (bounded above).
  std::vector<char> bytes(static_cast<std::size_t>(std::min<std::uint64_t>(size, kPreambleV2)));
  read_exactly(file, bytes.data(), bytes.size(), 0, path);
  if (bytes.size() >= 8 && (bytes[6] == 2 || bytes[6] == 3) && bytes.size() == kPreambleV2) {
    const auto length = read_le(bytes, 8, 4);
    if (length <= kMaxNpyHeaderBytes && kPreambleV2 + length <= size) {
      bytes.resize(kPreambleV2 + length);
      read_exactly(file, bytes.data() + kPreambleV2, length, kPreambleV2, path);
    }
  } else if (bytes.size() >= kPreambleV1 && bytes[6] == 1) {
    const auto length = read_le(bytes, 8, 2);
    const std::size_t have = bytes.size();
    if (kPreambleV1 + length <= size) {
      bytes.resize(kPreambleV1 + length);
      if (bytes.size() > have) {
        read_exactly(file, bytes.data() + have, bytes.size() - have, have, path);
      }
    }
  }
  NpyHeader header = parse_npy_header(bytes, size, path.string());
  if (std::fseek(file, static_cast<long>(header.data_offset), SEEK_SET) != 0) {
    throw Error(fmt::format("{}: failed to seek to offset {}", path.string(), header.data_offset));
  }
  return header;
}

template <typename T>
void write_npy_impl(const std::filesystem::path& path, std::span<const T> values,
                    std::span<const std::int64_t> shape, NpyDType dtype) {
  std::size_t count = 1;
  for (const std::int64_t dim : shape) {
    KBETA_CHECK(dim >= 0);
    count *= static_cast<std::size_t>(dim);
  }
  KBETA_CHECK(count == values.size());
  io::AtomicFile file(path);
  file.write(make_npy_header(dtype, shape));
  file.write(std::as_bytes(values));
  file.commit();
}

}  // namespace

std::size_t NpyHeader::numel() const {
  std::size_t count = 1;
  for (const std::int64_t dim : shape) {
    count *= static_cast<std::size_t>(dim);
  }
  return count;
}

NpyHeader parse_npy_header(std::span<const char> bytes, std::uint64_t file_size, const std::string& origin) {
  if (bytes.size() < kPreambleV1 || std::string_view(bytes.data(), kMagic.size()) != kMagic) {
    throw Error(fmt::format("{}: not a .npy file (missing the \\x93NUMPY magic string)", origin));
  }
  NpyHeader header;
  header.major_version = static_cast<unsigned char>(bytes[6]);
  header.minor_version = static_cast<unsigned char>(bytes[7]);
  if (header.major_version < 1 || header.major_version > 3 || header.minor_version != 0) {
    throw Error(fmt::format("{}: unsupported .npy version {}.{}; expected 1.0, 2.0 or 3.0", origin,
                            header.major_version, header.minor_version));
  }
  const std::size_t preamble = header.major_version == 1 ? kPreambleV1 : kPreambleV2;
  if (bytes.size() < preamble) {
    throw Error(fmt::format("{}: truncated .npy preamble ({} bytes)", origin, bytes.size()));
  }
  const std::uint64_t length = read_le(bytes, 8, preamble - 8);
  if (length > kMaxNpyHeaderBytes) {
    throw Error(fmt::format("{}: .npy header length {} exceeds the limit of {} bytes; the file is corrupt",
                            origin, length, kMaxNpyHeaderBytes));
  }
  if (preamble + length > file_size || preamble + length > bytes.size()) {
    throw Error(fmt::format("{}: truncated .npy header ({} bytes announced, file has {})", origin, length,
                            file_size));
  }
  header.data_offset = preamble + static_cast<std::size_t>(length);

  const std::string_view text(bytes.data() + preamble, static_cast<std::size_t>(length));
  DictParser parser(text, origin);
  std::optional<std::string> descr;
  std::optional<bool> fortran_order;
  std::optional<std::vector<std::int64_t>> shape;
  parser.expect('{');
  while (!parser.consume('}')) {
    const std::string key = parser.string_literal();
    parser.expect(':');
    if (key == "descr" && !descr) {
      descr = parser.string_literal();
    } else if (key == "fortran_order" && !fortran_order) {
      fortran_order = parser.boolean();
    } else if (key == "shape" && !shape) {
      shape = parser.shape_tuple();
    } else {
      parser.fail(fmt::format("unexpected or repeated key '{}'", key));
    }
    if (!parser.consume(',')) {
      parser.expect('}');
      break;
    }
  }
  if (!parser.at_end()) {
    parser.fail("unexpected text after the dict");
  }
  if (!descr || !fortran_order || !shape) {
    parser.fail("missing one of the keys descr, fortran_order, shape");
  }
  header.dtype = parse_descr(*descr, origin);
  if (*fortran_order) {
    throw Error(
        fmt::format("{}: Fortran-order arrays are not supported; save a C-order array, e.g. with "
                    "numpy: np.save(path, np.ascontiguousarray(a))",
                    origin));
  }
  header.shape = std::move(*shape);

  // The byte count, guarded against overflow, must equal the rest of the file.
  std::uint64_t bytes_needed = header.item_size();
  for (const std::int64_t dim : header.shape) {
    const auto d = static_cast<std::uint64_t>(dim);
    if (d != 0 && bytes_needed > std::numeric_limits<std::uint64_t>::max() / d) {
      throw Error(fmt::format("{}: shape in the .npy header overflows 64-bit sizes", origin));
    }
    bytes_needed *= d;
  }
  const std::uint64_t available = file_size - header.data_offset;
  if (bytes_needed > available) {
    throw Error(fmt::format("{}: truncated .npy file: the shape needs {} data bytes but only {} are present",
                            origin, bytes_needed, available));
  }
  if (bytes_needed < available) {
    throw Error(fmt::format("{}: {} unexpected bytes after the array data; the file is corrupt", origin,
                            available - bytes_needed));
  }
  return header;
}

NpyHeader read_npy_header(const std::filesystem::path& path) {
  FileHandle file = open_for_reading(path);
  return read_header(file.get(), path);
}

std::vector<float> read_npy_f32(const std::filesystem::path& path, NpyHeader* header_out) {
  FileHandle file = open_for_reading(path);
  const NpyHeader header = read_header(file.get(), path);
  const std::size_t count = header.numel();
  std::vector<float> values(count);

  if (header.dtype == NpyDType::F32) {
    read_exactly(file.get(), values.data(), count * sizeof(float), header.data_offset, path);
  } else {
    constexpr std::size_t kChunk = 1 << 20;
    std::vector<double> buffer(std::min(count, kChunk));
    for (std::size_t begin = 0; begin < count; begin += kChunk) {
      const std::size_t n = std::min(kChunk, count - begin);
      read_exactly(file.get(), buffer.data(), n * sizeof(double), header.data_offset + begin * sizeof(double),
                   path);
      for (std::size_t k = 0; k < n; ++k) {
        values[begin + k] = static_cast<float>(buffer[k]);
      }
    }
  }
  if (header_out != nullptr) {
    *header_out = header;
  }
  return values;
}

std::string make_npy_header(NpyDType dtype, std::span<const std::int64_t> shape) {
  std::string dims;
  for (const std::int64_t dim : shape) {
    dims += fmt::format("{}, ", dim);
  }
  if (shape.size() > 1) {
    dims.resize(dims.size() - 2);  // (2, 3) but (3,) for one dimension
  } else if (shape.size() == 1) {
    dims.resize(dims.size() - 1);
  }
  std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}",
                                 dtype == NpyDType::F32 ? "<f4" : "<f8", dims);

  // Pad with spaces and a final newline so the array starts on a 64-byte boundary.
  const auto padded_length = [&](std::size_t preamble) {
    const std::size_t total = (preamble + dict.size() + 1 + kAlignment - 1) / kAlignment * kAlignment;
    return total - preamble;
  };
  const bool v1 = padded_length(kPreambleV1) <= 65535;
  const std::size_t preamble = v1 ? kPreambleV1 : kPreambleV2;
  const std::size_t length = padded_length(preamble);
  dict.append(length - dict.size() - 1, ' ');
  dict.push_back('\n');

  std::string out(kMagic);
  out.push_back(static_cast<char>(v1 ? 1 : 2));
  out.push_back(0);
  for (std::size_t k = 0; k < preamble - 8; ++k) {
    out.push_back(static_cast<char>((length >> (8 * k)) & 0xff));
  }
  out += dict;
  return out;
}

void write_npy(const std::filesystem::path& path, std::span<const float> values,
               std::span<const std::int64_t> shape) {
  write_npy_impl(path, values, shape, NpyDType::F32);
}

void write_npy(const std::filesystem::path& path, std::span<const double> values,
               std::span<const std::int64_t> shape) {
  write_npy_impl(path, values, shape, NpyDType::F64);
}

}  // namespace kbeta::data
