// The one table of trainable tensors: {name, shape, offset} over one contiguous buffer.
// It drives allocation, initialisation, gradients, checkpoints and optimiser buckets; no other
// place lists the parameters by hand. Names are the reference's MLX parameter paths.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kbeta {

struct ParamInfo {
  std::string name;                 // e.g. "transformer_encoder.layers.0.attention.query_proj.weight"
  std::vector<std::int64_t> shape;  // PyTorch/MLX layout: (out, in) for weights
  std::size_t offset = 0;           // first element inside the buffer
  std::size_t size = 0;             // element count
};

class ParamTable {
 public:
  // Appends a tensor after the last one; returns its offset.
  std::size_t add(std::string name, std::vector<std::int64_t> shape);

  const std::vector<ParamInfo>& entries() const { return entries_; }
  std::size_t total_size() const { return total_; }
  std::size_t count() const { return entries_.size(); }

  // Index of the tensor with this name, or nullopt.
  std::optional<std::size_t> find(const std::string& name) const;
  // The tensor with this name; throws kbeta::Error when there is none.
  const ParamInfo& at(const std::string& name) const;

 private:
  std::vector<ParamInfo> entries_;
  std::size_t total_ = 0;
};

}  // namespace kbeta
