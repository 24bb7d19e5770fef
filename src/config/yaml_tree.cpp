#include "config/yaml_tree.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <map>
#include <sstream>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include "core/error.hpp"

namespace kbeta::config {

const YamlNode* YamlNode::find(std::string_view key) const {
  for (const auto& entry : entries) {
    if (entry.key == key) {
      return &entry.value;
    }
  }
  return nullptr;
}

YamlNode* YamlNode::find(std::string_view key) {
  return const_cast<YamlNode*>(std::as_const(*this).find(key));
}

std::string YamlNode::location() const {
  if (line > 0) {
    return fmt::format("{} line {}", origin, line);
  }
  return origin;
}

namespace {

// Documents with more nodes are rejected, so that nested aliases (a "billion laughs" document)
// cannot expand into gigabytes. A full configuration has about 100 nodes.
constexpr std::size_t kMaxNodes = 100'000;

std::size_t count_nodes(const YamlNode& node) {
  std::size_t count = 1;
  for (const auto& item : node.items) {
    count += count_nodes(item);
  }
  for (const auto& entry : node.entries) {
    count += count_nodes(entry.value);
  }
  return count;
}

// A duplicated key: reported even where other YAML errors fall back to a plain string.
class DuplicateKeyError : public ConfigError {
 public:
  using ConfigError::ConfigError;
};

// Builds a YamlNode tree from yaml-cpp's parser events. Collections under construction live on
// a stack by value and are moved into their parent when they end.
class TreeBuilder : public YAML::EventHandler {
 public:
  explicit TreeBuilder(std::string origin) : origin_(std::move(origin)) {}

  YamlNode take_root() { return std::move(root_); }
  bool has_root() const { return has_root_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YamlNode node = make_node(YamlNode::Kind::Null, mark);
    remember_anchor(anchor, node);
    attach(std::move(node));
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      throw ConfigError(fmt::format("{} line {}: alias to an anchor that is not defined before it", origin_,
                                    mark.line + 1));
    }
    add_nodes(count_nodes(it->second), mark);
    YamlNode node = it->second;
    node.line = mark.line + 1;
    attach(std::move(node));
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    YamlNode node = make_node(YamlNode::Kind::Scalar, mark);
    node.text = value;
    // yaml-cpp reports "?" for plain scalars and "!" for quoted ones. An explicit !!str also
    // makes a string, and other explicit tags are resolved like plain scalars.
    node.quoted = tag == "!" || tag == "tag:yaml.org,2002:str";
    remember_anchor(anchor, node);
    attach(std::move(node));
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    open_collection(YamlNode::Kind::Sequence, mark, anchor, style);
  }
  void OnSequenceEnd() override { close_collection(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    open_collection(YamlNode::Kind::Mapping, mark, anchor, style);
  }
  void OnMapEnd() override { close_collection(); }

 private:
  struct Frame {
    YamlNode node;
    YAML::anchor_t anchor = 0;
    bool has_key = false;  // a mapping whose next event is the value of `key`
    std::string key;
    int key_line = 0;
  };

  void add_nodes(std::size_t count, const YAML::Mark& mark) {
    node_count_ += count;
    if (node_count_ > kMaxNodes) {
      throw ConfigError(
          fmt::format("{} line {}: the document expands to more than {} nodes through its "
                      "aliases; a configuration needs a few hundred, so remove the nested aliases",
                      origin_, mark.line + 1, kMaxNodes));
    }
  }

  YamlNode make_node(YamlNode::Kind kind, const YAML::Mark& mark) {
    add_nodes(1, mark);
    YamlNode node;
    node.kind = kind;
    node.origin = origin_;
    node.line = mark.line + 1;
    return node;
  }

  void remember_anchor(YAML::anchor_t anchor, const YamlNode& node) {
    if (anchor != 0) {
      anchors_[anchor] = node;
    }
  }

  void open_collection(YamlNode::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) {
    if (!stack_.empty() && stack_.back().node.kind == YamlNode::Kind::Mapping && !stack_.back().has_key) {
      throw ConfigError(fmt::format("{} line {}: a mapping key must be a scalar, not a {}", origin_,
                                    mark.line + 1, kind == YamlNode::Kind::Mapping ? "mapping" : "sequence"));
    }
    Frame frame;
    frame.node = make_node(kind, mark);
    frame.node.flow = style == YAML::EmitterStyle::Flow;
    frame.anchor = anchor;
    stack_.push_back(std::move(frame));
  }

  void close_collection() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    remember_anchor(frame.anchor, frame.node);
    attach(std::move(frame.node));
  }

  // The dotted path of the mapping on top of the stack, for messages.
  std::string current_path() const {
    std::string path;
    for (const auto& frame : stack_) {
      if (!frame.has_key) {
        continue;
      }
      if (frame.node.kind == YamlNode::Kind::Mapping) {
        path += path.empty() ? frame.key : "." + frame.key;
      }
    }
    return path;
  }

  void attach(YamlNode node) {
    if (stack_.empty()) {
      root_ = std::move(node);
      has_root_ = true;
      return;
    }
    Frame& top = stack_.back();
    if (top.node.kind == YamlNode::Kind::Sequence) {
      top.node.items.push_back(std::move(node));
      return;
    }
    if (!top.has_key) {
      accept_key(top, node);
      return;
    }
    top.node.entries.push_back({std::move(top.key), top.key_line, std::move(node)});
    top.has_key = false;
    top.key.clear();
  }

  void accept_key(Frame& top, const YamlNode& key) {
    // The key is checked against the entries so far before it is stored, so the path of
    // the enclosing mapping is still the current path.
    const std::string key_text = key.kind == YamlNode::Kind::Null ? std::string("null") : key.text;
    for (const auto& entry : top.node.entries) {
      if (entry.key == key_text) {
        const std::string parent = current_path();
        const std::string path = parent.empty() ? key_text : parent + "." + key_text;
        throw DuplicateKeyError(
            fmt::format("{}: duplicate key {} at lines {} and {}; PyYAML keeps the last value and yaml-cpp "
                        "the first, so delete one of them",
                        origin_, path, entry.key_line, key.line));
      }
    }
    top.has_key = true;
    top.key = key_text;
    top.key_line = key.line;
  }

  std::string origin_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, YamlNode> anchors_;
  YamlNode root_;
  bool has_root_ = false;
  std::size_t node_count_ = 0;
};

// A throwaway handler, used to detect a second document.
class IgnoreEvents : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
  }
  void OnMapEnd() override {}
};

[[noreturn]] void throw_parse_error(const std::string& origin, const YAML::Exception& e,
                                    std::string_view message) {
  if (e.mark.is_null()) {
    throw ConfigError(fmt::format("{}: invalid YAML: {}", origin, message));
  }
  throw ConfigError(fmt::format("{}: invalid YAML at line {}, column {}: {}", origin, e.mark.line + 1,
                                e.mark.column + 1, message));
}

// Runs the parser over `text`. Returns false when the text contains no document at all.
bool parse_events(std::string_view text, const std::string& origin, TreeBuilder& builder) {
  std::istringstream stream{std::string(text)};
  try {
    YAML::Parser parser(stream);
    if (!parser.HandleNextDocument(builder)) {
      return false;
    }
    IgnoreEvents ignore;
    if (parser.HandleNextDocument(ignore)) {
      throw ConfigError(fmt::format("{}: contains more than one YAML document; expected one", origin));
    }
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own message for this case is only "bad file".
    throw_parse_error(origin, e,
                      fmt::format("nesting deeper than {} levels; configurations need at most 3", e.depth()));
  } catch (const YAML::Exception& e) {
    throw_parse_error(origin, e, e.msg);
  }
  return true;
}

// Hand-written matchers for the YAML 1.2 core schema's patterns (std::regex draws false
// uninitialised-use warnings from GCC 12 under the sanitizers).

bool is_one_of(std::string_view text, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), text) != words.end();
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Consumes a run of characters satisfying `accept` from `text`; returns how many.
template <class Predicate>
std::size_t consume(std::string_view& text, Predicate accept) {
  std::size_t count = 0;
  while (count < text.size() && accept(text[count])) {
    ++count;
  }
  text.remove_prefix(count);
  return count;
}

void consume_sign(std::string_view& text) {
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    text.remove_prefix(1);
  }
}

// [-+]?[0-9]+
bool is_decimal_integer(std::string_view text) {
  consume_sign(text);
  return consume(text, is_digit) > 0 && text.empty();
}

// 0x[0-9a-fA-F]+ or 0o[0-7]+
bool is_prefixed_integer(std::string_view text, std::string_view prefix) {
  if (!text.starts_with(prefix)) {
    return false;
  }
  text.remove_prefix(prefix.size());
  const auto hex = [](char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
  const auto octal = [](char c) { return c >= '0' && c <= '7'; };
  const std::size_t count = prefix == "0x" ? consume(text, hex) : consume(text, octal);
  return count > 0 && text.empty();
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_decimal_float(std::string_view text) {
  consume_sign(text);
  const std::size_t integer_digits = consume(text, is_digit);
  std::size_t fraction_digits = 0;
  if (!text.empty() && text.front() == '.') {
    text.remove_prefix(1);
    fraction_digits = consume(text, is_digit);
  }
  if (integer_digits == 0 && fraction_digits == 0) {
    return false;
  }
  if (!text.empty() && (text.front() == 'e' || text.front() == 'E')) {
    text.remove_prefix(1);
    consume_sign(text);
    if (consume(text, is_digit) == 0) {
      return false;
    }
  }
  return text.empty();
}

// [A-Za-z_./][A-Za-z0-9_./-]*
bool is_simple_word(std::string_view text) {
  const auto first = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c == '/';
  };
  const auto rest = [&first](char c) { return first(c) || is_digit(c) || c == '-'; };
  return !text.empty() && first(text.front()) && std::all_of(text.begin() + 1, text.end(), rest);
}

// An override value has no lines: its messages name the override alone.
void clear_lines(YamlNode& node) {
  node.line = 0;
  for (auto& item : node.items) {
    clear_lines(item);
  }
  for (auto& entry : node.entries) {
    entry.key_line = 0;
    clear_lines(entry.value);
  }
}

}  // namespace

YamlNode parse_yaml_document(std::string_view text, const std::string& origin) {
  TreeBuilder builder(origin);
  if (!parse_events(text, origin, builder) || !builder.has_root()) {
    throw ConfigError(
        fmt::format("{}: contains no YAML document; expected a mapping of configuration keys", origin));
  }
  YamlNode root = builder.take_root();
  if (root.kind == YamlNode::Kind::Null) {
    throw ConfigError(
        fmt::format("{}: the document is empty; expected a mapping of configuration keys", origin));
  }
  if (root.kind != YamlNode::Kind::Mapping) {
    throw ConfigError(fmt::format("{} line {}: expected a mapping of configuration keys at the top level",
                                  origin, root.line));
  }
  return root;
}

YamlNode parse_yaml_value(std::string_view text, const std::string& origin) {
  YamlNode fallback;
  fallback.kind = YamlNode::Kind::Scalar;
  fallback.text = std::string(text);
  fallback.quoted = true;
  fallback.origin = origin;

  TreeBuilder builder(origin);
  try {
    if (!parse_events(text, origin, builder) || !builder.has_root()) {
      YamlNode null_node;
      null_node.origin = origin;
      return null_node;
    }
  } catch (const DuplicateKeyError&) {
    throw;
  } catch (const ConfigError&) {
    return fallback;
  }
  YamlNode node = builder.take_root();
  if ((node.kind == YamlNode::Kind::Mapping || node.kind == YamlNode::Kind::Sequence) && !node.flow) {
    return fallback;
  }
  clear_lines(node);
  return node;
}

ScalarValue resolve_scalar(const YamlNode& node) {
  ScalarValue value;
  if (node.kind == YamlNode::Kind::Null) {
    value.kind = ScalarValue::Kind::Null;
    return value;
  }
  if (node.kind != YamlNode::Kind::Scalar || node.quoted) {
    return value;  // a string (collections are never resolved as scalars)
  }
  const std::string& text = node.text;
  if (is_one_of(text, {"", "~", "null", "Null", "NULL"})) {
    value.kind = ScalarValue::Kind::Null;
    return value;
  }
  if (is_one_of(text, {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})) {
    value.kind = ScalarValue::Kind::Bool;
    value.boolean = true;
    return value;
  }
  if (is_one_of(text, {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})) {
    value.kind = ScalarValue::Kind::Bool;
    return value;
  }

  const bool decimal = is_decimal_integer(text);
  const bool hex = is_prefixed_integer(text, "0x");
  const bool octal = is_prefixed_integer(text, "0o");
  if (decimal || hex || octal) {
    value.kind = ScalarValue::Kind::Integer;
    const int base = decimal ? 10 : (hex ? 16 : 8);
    std::string_view digits = text;
    if (!decimal) {
      digits.remove_prefix(2);
    } else if (digits.front() == '+') {
      digits.remove_prefix(1);
    }
    const auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), value.integer, base);
    if (error == std::errc::result_out_of_range || end != digits.data() + digits.size()) {
      value.integer_overflow = true;
      value.number = std::strtod(text.c_str(), nullptr);
    } else {
      value.number = static_cast<double>(value.integer);
    }
    return value;
  }

  if (is_decimal_float(text)) {
    value.kind = ScalarValue::Kind::Float;
    std::string_view digits = text;
    if (digits.front() == '+') {
      digits.remove_prefix(1);
    }
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value.number);
    if (error == std::errc::result_out_of_range) {
      // from_chars leaves the value unset on overflow and underflow alike.
      value.number = std::strtod(text.c_str(), nullptr);
    }
    return value;
  }
  if (is_one_of(text, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"})) {
    value.kind = ScalarValue::Kind::Float;
    value.number = text.front() == '-' ? -HUGE_VAL : HUGE_VAL;
    return value;
  }
  if (is_one_of(text, {".nan", ".NaN", ".NAN"})) {
    value.kind = ScalarValue::Kind::Float;
    value.number = std::nan("");
    return value;
  }
  return value;
}

namespace {

// A string that can be written without quotes and still reads back as the same string.
bool is_plain_safe(const std::string& text) {
  if (!is_simple_word(text)) {
    return false;
  }
  YamlNode probe;
  probe.kind = YamlNode::Kind::Scalar;
  probe.text = text;
  return resolve_scalar(probe).kind == ScalarValue::Kind::String;
}

std::string quote(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string emit_scalar(const YamlNode& node) {
  if (node.kind == YamlNode::Kind::Null) {
    return "null";
  }
  if (node.quoted && !is_plain_safe(node.text)) {
    return quote(node.text);
  }
  return node.text;
}

std::string emit_flow(const YamlNode& node) {
  if (node.kind == YamlNode::Kind::Sequence) {
    std::string out = "[";
    for (std::size_t i = 0; i < node.items.size(); ++i) {
      out += (i == 0 ? "" : ", ") + emit_flow(node.items[i]);
    }
    return out + "]";
  }
  if (node.kind == YamlNode::Kind::Mapping) {
    std::string out = "{";
    for (std::size_t i = 0; i < node.entries.size(); ++i) {
      out += (i == 0 ? "" : ", ") + node.entries[i].key + ": " + emit_flow(node.entries[i].value);
    }
    return out + "}";
  }
  return emit_scalar(node);
}

void emit_mapping(const YamlNode& node, int indent, std::string& out) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  for (const auto& entry : node.entries) {
    const YamlNode& value = entry.value;
    if (value.kind == YamlNode::Kind::Mapping && !value.entries.empty()) {
      out += pad + entry.key + ":\n";
      emit_mapping(value, indent + 2, out);
    } else {
      out += pad + entry.key + ": " + emit_flow(value);
      out += value.comment.empty() ? "\n" : "  # " + value.comment + "\n";
    }
  }
}

}  // namespace

std::string emit_flow_yaml(const YamlNode& node) {
  return emit_flow(node);
}

std::string emit_yaml(const YamlNode& root) {
  std::string out;
  emit_mapping(root, 0, out);
  return out;
}

std::string format_float(double value) {
  if (std::isnan(value)) {
    return ".nan";
  }
  if (std::isinf(value)) {
    return value < 0 ? "-.inf" : ".inf";
  }
  std::string text = fmt::format("{}", value);
  const auto exponent = text.find('e');
  const std::string mantissa = text.substr(0, exponent);
  if (mantissa.find('.') == std::string::npos) {
    text.insert(exponent == std::string::npos ? text.size() : exponent, ".0");
  }
  return text;
}

}  // namespace kbeta::config
