#include "core/param_table.hpp"

#include <fmt/format.h>

#include "core/error.hpp"

namespace kbeta {

std::size_t ParamTable::add(std::string name, std::vector<std::int64_t> shape) {
  KBETA_CHECK(!find(name).has_value());
  std::size_t size = 1;
  for (auto d : shape) {
    KBETA_CHECK(d >= 0);
    size *= static_cast<std::size_t>(d);
  }
  const std::size_t offset = total_;
  entries_.push_back(ParamInfo{std::move(name), std::move(shape), offset, size});
  total_ += size;
  return offset;
}

std::optional<std::size_t> ParamTable::find(const std::string& name) const {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].name == name) {
      return i;
    }
  }
  return std::nullopt;
}

const ParamInfo& ParamTable::at(const std::string& name) const {
  const auto index = find(name);
  if (!index) {
    throw Error(fmt::format("no parameter named '{}'", name));
  }
  return entries_[*index];
}

}  // namespace kbeta
