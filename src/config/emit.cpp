#include "config/emit.hpp"

#include <cstdint>

#include <fmt/format.h>

#include "config/schema.hpp"
#include "config/yaml_tree.hpp"

namespace kbeta::config {

namespace {

// The mapping under `root` for the sections of `path`, created in table order.
YamlNode& section_for(YamlNode& root, const std::string& path, std::string& leaf) {
  YamlNode* map = &root;
  std::size_t start = 0;
  for (auto dot = path.find('.'); dot != std::string::npos; dot = path.find('.', start)) {
    const std::string part = path.substr(start, dot - start);
    YamlNode* child = map->find(part);
    if (child == nullptr) {
      YamlNode section;
      section.kind = YamlNode::Kind::Mapping;
      map->entries.push_back({part, 0, std::move(section)});
      child = &map->entries.back().value;
    }
    map = child;
    start = dot + 1;
  }
  leaf = path.substr(start);
  return *map;
}

// The value in effect for keys written as null, as a comment beside them.
std::string effective_value_comment(const Config& config, const std::string& path) {
  if (path == "optimizer.adam_beta2" && !config.optimizer.adam_beta2) {
    return "null means 0.95 for adam95 and 0.999 for adam999";
  }
  if (path == "tracking.plot_stride" && !config.tracking.plot_stride) {
    return fmt::format("null means 10 · tracking.window = {}", config.tracking.effective_plot_stride());
  }
  if (path == "eval.batch_size_override" && !config.eval.batch_size_override) {
    return fmt::format("null means model_params.batch_size = {}", config.model_params.batch_size);
  }
  return {};
}

}  // namespace

std::string to_yaml(const Config& config) {
  YamlNode root;
  root.kind = YamlNode::Kind::Mapping;
  for (const auto& f : fields()) {
    std::string leaf;
    YamlNode& section = section_for(root, f.path, leaf);
    YamlNode value = f.write(config);
    value.comment = effective_value_comment(config, f.path);
    section.entries.push_back({leaf, 0, std::move(value)});
  }
  return emit_yaml(root);
}

std::string config_hash(const Config& config) {
  const std::string text = to_yaml(config);
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64-bit offset basis
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;  // FNV-1a 64-bit prime
  }
  return fmt::format("{:016x}", hash);
}

}  // namespace kbeta::config
