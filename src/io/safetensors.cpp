#include "io/safetensors.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "io/atomic_file.hpp"

namespace kbeta::io {

namespace {

// Larger headers are refused before parsing: a corrupt length field must not make the reader
// allocate or scan gigabytes. Real headers hold a few hundred bytes per tensor.
constexpr std::uint64_t kMaxHeaderBytes = std::uint64_t{100} * 1024 * 1024;

struct DTypeEntry {
  DType dtype;
  const char* name;
  std::size_t size;
};

constexpr DTypeEntry kDTypes[] = {
    {DType::F64, "F64", 8},   {DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2},
    {DType::I64, "I64", 8},   {DType::I32, "I32", 4}, {DType::I16, "I16", 2}, {DType::I8, "I8", 1},
    {DType::U64, "U64", 8},   {DType::U32, "U32", 4}, {DType::U16, "U16", 2}, {DType::U8, "U8", 1},
    {DType::BOOL, "BOOL", 1},
};

const DTypeEntry& entry(DType dtype) {
  for (const auto& e : kDTypes) {
    if (e.dtype == dtype) {
      return e;
    }
  }
  KBETA_CHECK(false);
}

std::uint64_t read_le64(const std::string& bytes) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  }
  return value;
}

// Cuts `text` to at most `limit` characters for a message, marking the cut with "...".
std::string shorten(std::string text, std::size_t limit = 80) {
  if (text.size() > limit) {
    text.resize(limit - 3);
    text += "...";
  }
  return text;
}

// A header value for a message: scalars as JSON text and containers by kind and size only,
// because nlohmann::json::dump() recurses once per nesting level and a hostile header nests
// millions deep.
std::string describe(const nlohmann::json& value) {
  if (value.is_array()) {
    return fmt::format("a list of {} items", value.size());
  }
  if (value.is_object()) {
    return fmt::format("an object of {} keys", value.size());
  }
  return shorten(value.dump());
}

template <typename T>
std::vector<T> convert_to(const Safetensors& file, const std::string& name) {
  const TensorInfo& info = file.info(name);
  const auto raw = file.raw(name);
  std::vector<T> out(info.numel());
  if (info.dtype == DType::F32) {
    for (std::size_t i = 0; i < out.size(); ++i) {
      float v;
      std::memcpy(&v, raw.data() + 4 * i, 4);
      out[i] = static_cast<T>(v);
    }
  } else if (info.dtype == DType::F64) {
    for (std::size_t i = 0; i < out.size(); ++i) {
      double v;
      std::memcpy(&v, raw.data() + 8 * i, 8);
      out[i] = static_cast<T>(v);
    }
  } else {
    throw Error(fmt::format("{}: tensor '{}' has dtype {}, expected F32 or F64", file.origin(), name,
                            dtype_name(info.dtype)));
  }
  return out;
}

}  // namespace

std::size_t dtype_size(DType dtype) {
  return entry(dtype).size;
}
const char* dtype_name(DType dtype) {
  return entry(dtype).name;
}

std::size_t TensorInfo::numel() const {
  std::size_t n = 1;
  for (auto d : shape) {
    n *= static_cast<std::size_t>(d);
  }
  return n;
}

Safetensors Safetensors::load(const std::filesystem::path& path) {
  return parse(read_file(path), path.string());
}

Safetensors Safetensors::parse(std::string bytes, const std::string& origin) {
  Safetensors file;
  file.origin_ = origin;
  file.bytes_ = std::move(bytes);
  const std::size_t size = file.bytes_.size();
  auto fail = [&](const std::string& what) {
    return Error(fmt::format("{}: invalid safetensors file: {}", origin, what));
  };

  if (size < 8) {
    throw fail(fmt::format("{} bytes is too short for the 8-byte header length", size));
  }
  const std::uint64_t header_len = read_le64(file.bytes_);
  if (header_len > kMaxHeaderBytes) {
    throw fail(fmt::format("header length {} exceeds the limit of {} bytes", header_len, kMaxHeaderBytes));
  }
  if (header_len > size - 8) {
    throw fail(fmt::format("header length {} exceeds the {} bytes after the length field (truncated file?)",
                           header_len, size - 8));
  }
  file.data_start_ = 8 + static_cast<std::size_t>(header_len);
  const std::size_t data_size = size - file.data_start_;

  nlohmann::json header;
  try {
    header = nlohmann::json::parse(file.bytes_.begin() + 8,
                                   file.bytes_.begin() + static_cast<std::ptrdiff_t>(file.data_start_));
  } catch (const nlohmann::json::parse_error& e) {
    throw fail(fmt::format("header is not valid JSON ({})", shorten(e.what(), 200)));
  }
  if (!header.is_object()) {
    throw fail("header is not a JSON object");
  }

  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (value.is_null()) {
        continue;  // MLX writes "__metadata__": null when there is none
      }
      if (!value.is_object()) {
        throw fail("__metadata__ is not an object");
      }
      for (const auto& [key, text] : value.items()) {
        if (!text.is_string()) {
          throw fail(fmt::format("metadata value '{}' is not a string", key));
        }
        file.metadata_[key] = text.get<std::string>();
      }
      continue;
    }
    if (!value.is_object() || !value.contains("dtype") || !value.contains("shape") ||
        !value.contains("data_offsets")) {
      throw fail(fmt::format("tensor '{}' lacks dtype, shape or data_offsets", shorten(name)));
    }
    TensorInfo info;
    const auto& dtype = value["dtype"];
    const auto* found =
        dtype.is_string()
            ? std::find_if(std::begin(kDTypes), std::end(kDTypes),
                           [&](const DTypeEntry& e) { return dtype.get<std::string>() == e.name; })
            : std::end(kDTypes);
    if (found == std::end(kDTypes)) {
      throw fail(fmt::format("tensor '{}' has unknown dtype {}", shorten(name), describe(dtype)));
    }
    info.dtype = found->dtype;

    const auto& shape = value["shape"];
    if (!shape.is_array()) {
      throw fail(fmt::format("tensor '{}' shape is not a list", shorten(name)));
    }
    std::size_t numel = 1;
    for (const auto& d : shape) {
      if (!d.is_number_integer() || d.get<std::int64_t>() < 0) {
        throw fail(fmt::format("tensor '{}' has invalid dimension {}", shorten(name), describe(d)));
      }
      const auto dim = static_cast<std::size_t>(d.get<std::int64_t>());
      if (dim != 0 && numel > std::numeric_limits<std::size_t>::max() / dim) {
        throw fail(fmt::format("tensor '{}' shape overflows 64-bit sizes at dimension {} ({})", shorten(name),
                               info.shape.size(), dim));
      }
      numel *= dim;
      info.shape.push_back(d.get<std::int64_t>());
    }

    const auto& offsets = value["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned()) {
      throw fail(fmt::format("tensor '{}' data_offsets must be two non-negative integers", shorten(name)));
    }
    const auto begin = offsets[0].get<std::uint64_t>();
    const auto end = offsets[1].get<std::uint64_t>();
    if (begin > end || end > data_size) {
      throw fail(
          fmt::format("tensor '{}' data_offsets [{}, {}] lie outside the {} data bytes (truncated file?)",
                      shorten(name), begin, end, data_size));
    }
    if (numel > std::numeric_limits<std::size_t>::max() / found->size || end - begin != numel * found->size) {
      throw fail(fmt::format("tensor '{}' holds {} bytes but {} {} × {} needs {}", shorten(name), end - begin,
                             shorten(shape.dump()), found->name, numel, numel * found->size));
    }
    info.begin = static_cast<std::size_t>(begin);
    info.end = static_cast<std::size_t>(end);
    if (info.end > info.begin) {
      ranges.emplace_back(info.begin, info.end);
    }
    file.tensors_.emplace(name, std::move(info));
  }

  std::sort(ranges.begin(), ranges.end());
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].first < ranges[i - 1].second) {
      throw fail(fmt::format("tensors overlap at data offset {}", ranges[i].first));
    }
  }
  return file;
}

const TensorInfo& Safetensors::info(const std::string& name) const {
  const auto it = tensors_.find(name);
  if (it == tensors_.end()) {
    throw Error(fmt::format("{}: no tensor named '{}'", origin_, name));
  }
  return it->second;
}

std::span<const std::byte> Safetensors::raw(const std::string& name) const {
  const TensorInfo& i = info(name);
  const auto* base = reinterpret_cast<const std::byte*>(bytes_.data()) + data_start_;
  return {base + i.begin, i.end - i.begin};
}

std::vector<float> Safetensors::read_f32(const std::string& name) const {
  return convert_to<float>(*this, name);
}

std::vector<double> Safetensors::read_f64(const std::string& name) const {
  return convert_to<double>(*this, name);
}

std::vector<std::uint32_t> Safetensors::read_u32(const std::string& name) const {
  const TensorInfo& i = info(name);
  if (i.dtype != DType::U32) {
    throw Error(
        fmt::format("{}: tensor '{}' has dtype {}, expected U32", origin_, name, dtype_name(i.dtype)));
  }
  std::vector<std::uint32_t> out(i.numel());
  const auto bytes = raw(name);
  if (!bytes.empty()) {
    std::memcpy(out.data(), bytes.data(), bytes.size());  // an empty vector's data() may be null
  }
  return out;
}

TensorToWrite tensor_f32(std::string name, std::vector<std::int64_t> shape, std::span<const float> values) {
  return TensorToWrite{std::move(name), DType::F32, std::move(shape), std::as_bytes(values)};
}

void save_safetensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    header["__metadata__"] = metadata;
  }
  std::size_t offset = 0;
  for (const auto& t : tensors) {
    std::size_t numel = 1;
    for (auto d : t.shape) {
      KBETA_CHECK(d >= 0);
      numel *= static_cast<std::size_t>(d);
    }
    KBETA_CHECK(t.bytes.size() == numel * dtype_size(t.dtype));
    header[t.name] = {{"dtype", dtype_name(t.dtype)},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  std::string text = header.dump();
  // Pad the header with spaces to a multiple of 8 bytes, as the format recommends for alignment.
  text.append((8 - text.size() % 8) % 8, ' ');

  AtomicFile out(path);
  std::byte length[8];
  auto n = static_cast<std::uint64_t>(text.size());
  for (auto& b : length) {
    b = static_cast<std::byte>(n & 0xffu);
    n >>= 8;
  }
  out.write(length);
  out.write(text);
  for (const auto& t : tensors) {
    out.write(t.bytes);
  }
  out.commit();
}

}  // namespace kbeta::io
