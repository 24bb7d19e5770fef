// The table of configuration keys: for each dotted key path, how to read it from YAML, how to
// write it back and which range it must lie in. Loading, validation, the unknown-key check and
// YAML emission all walk this one table, so they cannot disagree about the keys.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/yaml_tree.hpp"

namespace kbeta::config {

// Source of each key's value ("my.yml line 12", "override seed=3"), for messages.
using KeyLocations = std::map<std::string, std::string, std::less<>>;

struct Field {
  std::string path;  // "model_params.embed_dim"
  // Converts `node` into the field. Throws ConfigError when the node has the wrong kind: a
  // string for a number, a fraction for a count, .nan, an overflow or an unknown choice.
  std::function<void(Config&, const YamlNode& node)> read;
  // The field's value as a YAML node.
  std::function<YamlNode(const Config&)> write;
  // Throws ConfigError when the value lies outside the key's range; `location` is appended.
  std::function<void(const Config&, std::string_view location)> check_range;
};

// Every key, in the order to_yaml() writes them.
const std::vector<Field>& fields();

// Formats "PATH: MESSAGE (LOCATION)", leaving out an empty location.
std::string key_message(std::string_view path, std::string_view message, std::string_view location);

// The known key closest to `path` (by edit distance on the whole path or on its last part),
// or an empty string when none is close.
std::string closest_key(std::string_view path);

// True when `path` names a section (a mapping of keys) rather than a key.
bool is_section(std::string_view path);

}  // namespace kbeta::config
