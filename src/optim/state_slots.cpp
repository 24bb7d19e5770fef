#include "optim/state_slots.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.hpp"

namespace kbeta::optim::detail {
namespace {

const char* dtype_name(std::size_t variant_index) {
  switch (variant_index) {
    case 0:
      return "float32";
    case 1:
      return "float64";
    default:
      return "int64";
  }
}

std::size_t element_count(const std::vector<std::int64_t>& shape) {
  std::size_t count = 1;
  for (auto d : shape) {
    count *= static_cast<std::size_t>(d);
  }
  return count;
}

}  // namespace

std::vector<Chunk> make_chunks(const ParamTable& table) {
  std::vector<Chunk> chunks;
  for (std::size_t t = 0; t < table.count(); ++t) {
    const ParamInfo& info = table.entries()[t];
    for (std::size_t begin = 0; begin < info.size; begin += kChunkElements) {
      const std::size_t end = std::min(info.size, begin + kChunkElements);
      chunks.push_back(Chunk{t, info.offset + begin, info.offset + end});
    }
  }
  return chunks;
}

void add_per_tensor_slots(std::vector<StateSlot>& slots, const std::string& prefix, const ParamTable& table,
                          std::span<float> buffer) {
  for (const ParamInfo& info : table.entries()) {
    slots.push_back(StateSlot{prefix + "." + info.name, info.shape, buffer.subspan(info.offset, info.size)});
  }
}

std::vector<StateTensor> as_views(const std::vector<StateSlot>& slots) {
  std::vector<StateTensor> views;
  views.reserve(slots.size());
  for (const StateSlot& slot : slots) {
    StateTensor view{slot.name, slot.shape, std::span<const float>{}};
    std::visit(
        [&view](auto span) { view.data = std::span<const typename decltype(span)::element_type>(span); },
        slot.data);
    views.push_back(std::move(view));
  }
  return views;
}

void load_into(const std::vector<StateSlot>& slots, const std::vector<StateTensor>& given) {
  std::map<std::string, const StateTensor*> by_name;
  for (const StateTensor& tensor : given) {
    if (!by_name.emplace(tensor.name, &tensor).second) {
      throw Error(fmt::format("optimizer state: tensor '{}' appears twice", tensor.name));
    }
  }

  // Validate everything before the first copy so that a bad checkpoint changes nothing.
  for (const StateSlot& slot : slots) {
    auto it = by_name.find(slot.name);
    if (it == by_name.end()) {
      throw Error(fmt::format(
          "optimizer state: tensor '{}' is missing; the checkpoint was written by another optimiser "
          "or with other optimizer settings",
          slot.name));
    }
    const StateTensor& tensor = *it->second;
    if (tensor.shape != slot.shape) {
      throw Error(fmt::format("optimizer state: tensor '{}' has shape ({}), expected ({})", slot.name,
                              fmt::join(tensor.shape, ", "), fmt::join(slot.shape, ", ")));
    }
    if (tensor.data.index() != slot.data.index()) {
      throw Error(fmt::format("optimizer state: tensor '{}' has dtype {}, expected {}", slot.name,
                              dtype_name(tensor.data.index()), dtype_name(slot.data.index())));
    }
    const std::size_t given_count = std::visit([](auto span) { return span.size(); }, tensor.data);
    if (given_count != element_count(slot.shape)) {
      throw Error(fmt::format("optimizer state: tensor '{}' holds {} values, its shape needs {}", slot.name,
                              given_count, element_count(slot.shape)));
    }
  }
  if (given.size() != slots.size()) {
    for (const StateTensor& tensor : given) {
      const bool known = std::any_of(slots.begin(), slots.end(),
                                     [&tensor](const StateSlot& slot) { return slot.name == tensor.name; });
      if (!known) {
        throw Error(
            fmt::format("optimizer state: unexpected tensor '{}'; the checkpoint was written by "
                        "another optimiser or with other optimizer settings",
                        tensor.name));
      }
    }
  }

  for (const StateSlot& slot : slots) {
    const StateTensor& tensor = *by_name.at(slot.name);
    std::visit(
        [&tensor](auto destination) {
          using Element = typename decltype(destination)::element_type;
          const auto source = std::get<std::span<const Element>>(tensor.data);
          std::copy(source.begin(), source.end(), destination.begin());
        },
        slot.data);
  }
}

}  // namespace kbeta::optim::detail
