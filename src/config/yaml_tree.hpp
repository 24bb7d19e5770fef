// A small YAML document tree for configuration files, built from yaml-cpp's parser events
// so that the loader gets what yaml-cpp's own node API hides: duplicated keys (yaml-cpp 0.7
// silently keeps the first, PyYAML the last), whether a scalar was quoted, and the line of
// every node. Scalars keep their source text; resolve_scalar() types them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kbeta::config {

struct YamlNode {
  enum class Kind { Null, Scalar, Sequence, Mapping };
  struct Entry;

  Kind kind = Kind::Null;
  std::string text;             // a scalar's value
  bool quoted = false;          // quoted or tagged !!str: always a string, never a number
  bool flow = false;            // a sequence or mapping written in flow style ([a, b] or {a: b})
  std::vector<YamlNode> items;  // a sequence's items
  std::vector<Entry> entries;   // a mapping's entries in document order
  std::string comment;          // written after the value by emit_yaml()
  std::string origin;           // file name, or the override pair the node came from
  int line = 0;                 // 1-based line in `origin`; 0 when it has no lines

  // The entry with key `key`, or nullptr.
  const YamlNode* find(std::string_view key) const;
  YamlNode* find(std::string_view key);

  // "heat2d.yml line 12", "override seed=3" or the bare origin.
  std::string location() const;
};

struct YamlNode::Entry {
  std::string key;
  int key_line = 0;
  YamlNode value;
};

// Parses one YAML document whose top level is a mapping. Throws ConfigError for malformed
// YAML (with line and column), an empty file, more than one document, a top level that is not
// a mapping, non-scalar keys, aliases to unknown anchors and duplicated keys (naming the key
// path and both lines).
YamlNode parse_yaml_document(std::string_view text, const std::string& origin);

// Parses a single YAML value (a scalar or a flow collection) such as an --override value.
// A value that is not valid YAML, or that parses as a block mapping, is kept as the plain
// string `text`, as the reference keeps a value that is not JSON.
YamlNode parse_yaml_value(std::string_view text, const std::string& origin);

// The type a scalar resolves to, following YAML 1.2's core schema for numbers and null and
// PyYAML (YAML 1.1) for booleans (true/false/yes/no/on/off in three casings).
struct ScalarValue {
  enum class Kind { Null, Bool, Integer, Float, String };
  Kind kind = Kind::String;
  bool boolean = false;
  bool integer_overflow = false;  // an integer literal outside the int64 range
  std::int64_t integer = 0;
  double number = 0.0;  // the value as a double for Integer and Float
};
ScalarValue resolve_scalar(const YamlNode& node);

// Emits the mapping `root` as block-style YAML; sequences and empty mappings are written in
// flow style.
std::string emit_yaml(const YamlNode& root);

// Writes one node on one line in flow style, for messages: `[0, 1]`, `{30: 5.0e-4}`, `"a b"`.
std::string emit_flow_yaml(const YamlNode& node);

// Formats a double so that it reads back as the same double, both here and in PyYAML
// (which needs a '.' in every float): 1.0e-05, 0.04, 4.0, .inf.
std::string format_float(double value);

}  // namespace kbeta::config
