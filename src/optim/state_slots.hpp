// Internal helpers shared by the optimisers: the fixed chunking of the parameter buffer that makes
// reductions independent of the thread count, and named state slots for checkpoints.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/param_table.hpp"
#include "optim/optimizer.hpp"

namespace kbeta::optim::detail {

// A run of elements of one tensor. Chunks cover the buffer in order, never cross a tensor
// boundary and hold at most kChunkElements elements.
struct Chunk {
  std::size_t tensor = 0;
  std::size_t begin = 0;
  std::size_t end = 0;
};

// 16 Ki floats = 64 KiB per stream: large enough that the per-chunk bookkeeping is negligible,
// small enough to balance 2–16 threads on the 32 M-element paper model (about 2,000 chunks).
inline constexpr std::size_t kChunkElements = std::size_t{1} << 14;

std::vector<Chunk> make_chunks(const ParamTable& table);

// One named, writable piece of optimiser state.
struct StateSlot {
  std::string name;
  std::vector<std::int64_t> shape;
  std::variant<std::span<float>, std::span<double>, std::span<std::int64_t>> data;
};

// Slots "<prefix>.<tensor name>" with the tensor's shape, viewing `buffer` (laid out as `table`).
void add_per_tensor_slots(std::vector<StateSlot>& slots, const std::string& prefix, const ParamTable& table,
                          std::span<float> buffer);

std::vector<StateTensor> as_views(const std::vector<StateSlot>& slots);

// Checks that `given` has exactly the slots' names, shapes, dtypes and element counts, then
// copies it into the slots. Throws kbeta::Error naming the first mismatch before copying anything.
void load_into(const std::vector<StateSlot>& slots, const std::vector<StateTensor>& given);

}  // namespace kbeta::optim::detail
