// Reader and writer for the safetensors format (an 8-byte little-endian header length, a JSON
// header of {name: {dtype, shape, data_offsets}} plus optional "__metadata__", then raw data).
// The reader validates everything before any tensor is read: header length against the file
// size, the JSON, dtypes, shapes, offsets inside the data area, byte counts equal to
// dtype size × element count, and no overlapping tensors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace kbeta::io {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL };

std::size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);

struct TensorInfo {
  DType dtype = DType::F32;
  std::vector<std::int64_t> shape;
  std::size_t begin = 0;  // byte offsets inside the data area
  std::size_t end = 0;

  std::size_t numel() const;
};

class Safetensors {
 public:
  // Reads and validates the file; throws kbeta::Error naming the path and the problem.
  static Safetensors load(const std::filesystem::path& path);
  // Parses bytes already in memory; `origin` names them in error messages.
  static Safetensors parse(std::string bytes, const std::string& origin);

  const std::map<std::string, TensorInfo>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  bool contains(const std::string& name) const { return tensors_.contains(name); }
  const TensorInfo& info(const std::string& name) const;
  std::span<const std::byte> raw(const std::string& name) const;

  // The tensor converted to float (from F32 or F64); throws if the dtype is another one.
  std::vector<float> read_f32(const std::string& name) const;
  // The tensor converted to double (from F32 or F64).
  std::vector<double> read_f64(const std::string& name) const;
  std::vector<std::uint32_t> read_u32(const std::string& name) const;

  const std::string& origin() const { return origin_; }

 private:
  std::string origin_;
  std::string bytes_;
  std::size_t data_start_ = 0;
  std::map<std::string, TensorInfo> tensors_;
  std::map<std::string, std::string> metadata_;
};

// One tensor to write: the bytes must hold dtype_size(dtype) × prod(shape) bytes.
struct TensorToWrite {
  std::string name;
  DType dtype = DType::F32;
  std::vector<std::int64_t> shape;
  std::span<const std::byte> bytes;
};

TensorToWrite tensor_f32(std::string name, std::vector<std::int64_t> shape, std::span<const float> values);

// Writes atomically (temporary file, flush, rename). Tensors are stored in the given order.
void save_safetensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata);

}  // namespace kbeta::io
