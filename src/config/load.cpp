#include "config/load.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "config/schema.hpp"
#include "config/validate.hpp"
#include "config/yaml_tree.hpp"
#include "core/error.hpp"
#include "io/atomic_file.hpp"

namespace kbeta::config {

namespace {

// Override keys the reference rewrites before applying them.
std::string apply_alias(const std::string& key) {
  if (key == "epochs") {
    return "model_params.epochs";
  }
  if (key == "kour_diagnostics") {
    return "optimizer.kour_diagnostics";
  }
  return key;
}

std::vector<std::string> split_path(const std::string& key, const std::string& pair) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    parts.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (parts.back().empty()) {
      throw ConfigError(
          fmt::format("--override {}: the key has an empty part; expected a dotted path such as "
                      "model_params.epochs",
                      pair));
    }
    if (dot == std::string::npos) {
      return parts;
    }
    start = dot + 1;
  }
}

// Schedule keys are epochs: "030" and "30" name the same entry.
bool same_key(const std::string& parent, const std::string& a, const std::string& b) {
  if (a == b) {
    return true;
  }
  if (parent != "learning_rate_schedule" && parent != "scale_schedule") {
    return false;
  }
  const auto strip = [](const std::string& text) {
    const auto first = text.find_first_not_of('0');
    return first == std::string::npos ? std::string("0") : text.substr(first);
  };
  return strip(a) == strip(b);
}

YamlNode::Entry* find_entry(YamlNode& map, const std::string& parent, const std::string& key) {
  for (auto& entry : map.entries) {
    if (same_key(parent, entry.key, key)) {
      return &entry;
    }
  }
  return nullptr;
}

YamlNode* find_child(YamlNode& map, const std::string& parent, const std::string& key) {
  YamlNode::Entry* entry = find_entry(map, parent, key);
  return entry == nullptr ? nullptr : &entry->value;
}

// Sets one KEY=VALUE pair in the document, creating the sections on its path.
void apply_override(YamlNode& root, const std::string& pair) {
  const auto equals = pair.find('=');
  if (equals == std::string::npos) {
    throw ConfigError(fmt::format("--override expects KEY=VALUE, got '{}'", pair));
  }
  const std::string key = apply_alias(pair.substr(0, equals));
  const std::string origin = fmt::format("override {}", pair);
  const std::vector<std::string> parts = split_path(key, pair);

  YamlNode* map = &root;
  std::string parent;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    YamlNode* child = find_child(*map, parent, parts[i]);
    const std::string path = parent.empty() ? parts[i] : parent + "." + parts[i];
    if (child == nullptr) {
      YamlNode section;
      section.kind = YamlNode::Kind::Mapping;
      section.origin = origin;
      map->entries.push_back({parts[i], 0, std::move(section)});
      child = &map->entries.back().value;
    } else if (child->kind == YamlNode::Kind::Null) {
      child->kind = YamlNode::Kind::Mapping;
    } else if (child->kind != YamlNode::Kind::Mapping) {
      throw ConfigError(fmt::format("{}: cannot set {} because {} is {}, not a mapping of keys", origin, key,
                                    path, emit_flow_yaml(*child)));
    }
    map = child;
    parent = path;
  }

  YamlNode value = parse_yaml_value(pair.substr(equals + 1), origin);
  if (YamlNode::Entry* existing = find_entry(*map, parent, parts.back()); existing != nullptr) {
    existing->value = std::move(value);
    existing->key_line = 0;  // the key's line in the file no longer locates the value
  } else {
    map->entries.push_back({parts.back(), 0, std::move(value)});
  }
}

// The reference moves a top-level `epochs` key to model_params.epochs after the overrides.
void move_top_level_epochs(YamlNode& root) {
  const auto it = std::find_if(root.entries.begin(), root.entries.end(),
                               [](const YamlNode::Entry& entry) { return entry.key == "epochs"; });
  if (it == root.entries.end()) {
    return;
  }
  YamlNode epochs = std::move(it->value);
  root.entries.erase(it);
  YamlNode* section = root.find("model_params");
  if (section == nullptr) {
    YamlNode fresh;
    fresh.kind = YamlNode::Kind::Mapping;
    fresh.origin = epochs.origin;
    root.entries.push_back({"model_params", 0, std::move(fresh)});
    section = &root.entries.back().value;
  } else if (section->kind == YamlNode::Kind::Null) {
    section->kind = YamlNode::Kind::Mapping;
  } else if (section->kind != YamlNode::Kind::Mapping) {
    return;  // reported as a malformed section by check_keys()
  }
  if (YamlNode* existing = section->find("epochs"); existing != nullptr) {
    *existing = std::move(epochs);
  } else {
    section->entries.push_back({"epochs", 0, std::move(epochs)});
  }
}

const std::set<std::string, std::less<>>& field_paths() {
  static const std::set<std::string, std::less<>> paths = [] {
    std::set<std::string, std::less<>> out;
    for (const auto& f : fields()) {
      out.insert(f.path);
    }
    return out;
  }();
  return paths;
}

std::string key_location(const YamlNode::Entry& entry) {
  if (entry.key_line > 0) {
    return fmt::format("{} line {}", entry.value.origin, entry.key_line);
  }
  return entry.value.location();
}

// Rejects unknown keys (suggesting the closest known one) and sections that are not mappings.
void check_keys(const YamlNode& map, const std::string& prefix) {
  for (const auto& entry : map.entries) {
    const std::string path = prefix.empty() ? entry.key : prefix + "." + entry.key;
    if (entry.key.find('.') != std::string::npos) {
      // Without this check "model_params.epochs": 7 at the top level matches a known path
      // here but is never read, so the value would be dropped silently.
      throw ConfigError(
          fmt::format("{}: a dotted key in a file is not a path ({}); nest it as a mapping "
                      "under its section, one key per level",
                      path, key_location(entry)));
    }
    if (field_paths().contains(path)) {
      continue;
    }
    if (is_section(path)) {
      if (entry.value.kind == YamlNode::Kind::Mapping) {
        check_keys(entry.value, path);
      } else if (entry.value.kind != YamlNode::Kind::Null) {
        throw ConfigError(
            key_message(path, fmt::format("expected a mapping of keys, got {}", emit_flow_yaml(entry.value)),
                        key_location(entry)));
      }
      continue;
    }
    const std::string suggestion = closest_key(path);
    throw ConfigError(fmt::format("{}: unknown key ({}); {}", path, key_location(entry),
                                  suggestion.empty()
                                      ? std::string("docs/configuration.md lists the known keys")
                                      : fmt::format("did you mean {}?", suggestion)));
  }
}

const YamlNode* find_path(const YamlNode& root, const std::string& path) {
  const YamlNode* node = &root;
  std::size_t start = 0;
  while (node != nullptr) {
    if (node->kind != YamlNode::Kind::Mapping) {
      return nullptr;
    }
    const auto dot = path.find('.', start);
    node = node->find(
        std::string_view(path).substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) {
      return node;
    }
    start = dot + 1;
  }
  return nullptr;
}

Config load_tree(YamlNode root, const std::vector<std::string>& overrides) {
  for (const auto& pair : overrides) {
    apply_override(root, pair);
  }
  move_top_level_epochs(root);
  check_keys(root, "");

  Config config;
  KeyLocations locations;
  for (const auto& f : fields()) {
    const YamlNode* node = find_path(root, f.path);
    if (node == nullptr) {
      continue;
    }
    locations[f.path] = node->location();
    f.read(config, *node);
  }
  validate(config, locations);
  return config;
}

}  // namespace

Config load_config_string(std::string_view yaml, const std::string& origin,
                          const std::vector<std::string>& overrides) {
  return load_tree(parse_yaml_document(yaml, origin), overrides);
}

Config load_config_file(const std::filesystem::path& path, const std::vector<std::string>& overrides) {
  // A configuration is a few kilobytes; a larger file is almost surely the wrong path (a data
  // file, a log), and yaml-cpp needs about 10 s and twice the size in memory per 50 MB.
  constexpr std::uintmax_t kMaxConfigBytes = 16u << 20;
  std::error_code size_error;
  const std::uintmax_t size = std::filesystem::file_size(path, size_error);
  if (!size_error && size > kMaxConfigBytes) {
    throw ConfigError(
        fmt::format("{}: the file is {} bytes, larger than the 16 MiB limit for a configuration; "
                    "check that CONFIG names a YAML configuration file",
                    path.string(), size));
  }
  std::string text;
  try {
    text = io::read_file(path);
  } catch (const Error& e) {
    throw ConfigError(e.what());
  }
  return load_config_string(text, path.string(), overrides);
}

}  // namespace kbeta::config
