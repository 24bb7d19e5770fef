#include "config/schema.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "core/error.hpp"

namespace kbeta::config {

// ---------------------------------------------------------------------------------------------
// Enum spellings
// ---------------------------------------------------------------------------------------------

namespace {

template <class E>
struct EnumName {
  E value;
  std::string_view name;
};

template <class E>
struct EnumNames;

template <>
struct EnumNames<MaskType> {
  static constexpr std::array<EnumName<MaskType>, 2> names{
      {{MaskType::Block, "block"}, {MaskType::Causal, "causal"}}};
};
template <>
struct EnumNames<Task> {
  static constexpr std::array<EnumName<Task>, 2> names{
      {{Task::Reconstruct, "reconstruct"}, {Task::Forecast, "forecast"}}};
};
template <>
struct EnumNames<FrameEmbedding> {
  static constexpr std::array<EnumName<FrameEmbedding>, 2> names{
      {{FrameEmbedding::FrozenRandom, "frozen_random"}, {FrameEmbedding::Linear, "linear"}}};
};
template <>
struct EnumNames<PositionalEncoding> {
  static constexpr std::array<EnumName<PositionalEncoding>, 2> names{
      {{PositionalEncoding::Rope, "rope"}, {PositionalEncoding::Sinusoidal, "sinusoidal"}}};
};
template <>
struct EnumNames<SegmentStrategy> {
  static constexpr std::array<EnumName<SegmentStrategy>, 3> names{
      {{SegmentStrategy::BaseCase, "base_case"},
       {SegmentStrategy::Challenge1, "challenge_1"},
       {SegmentStrategy::Challenge2, "challenge_2"}}};
};
template <>
struct EnumNames<OptimizerName> {
  static constexpr std::array<EnumName<OptimizerName>, 3> names{{{OptimizerName::Adam95, "adam95"},
                                                                 {OptimizerName::Adam999, "adam999"},
                                                                 {OptimizerName::Kourkoutas, "kourkoutas"}}};
};
template <>
struct EnumNames<BiasCorrection> {
  static constexpr std::array<EnumName<BiasCorrection>, 3> names{{{BiasCorrection::None, "none"},
                                                                  {BiasCorrection::Beta2Max, "beta2max"},
                                                                  {BiasCorrection::Exact, "exact"}}};
};
template <>
struct EnumNames<LayerBuckets> {
  static constexpr std::array<EnumName<LayerBuckets>, 4> names{{{LayerBuckets::Global, "global"},
                                                                {LayerBuckets::Tensor, "tensor"},
                                                                {LayerBuckets::Layer, "layer"},
                                                                {LayerBuckets::Shape, "shape"}}};
};
template <>
struct EnumNames<LrSchedule> {
  static constexpr std::array<EnumName<LrSchedule>, 4> names{{{LrSchedule::Reference, "reference"},
                                                              {LrSchedule::Table, "table"},
                                                              {LrSchedule::Cosine, "cosine"},
                                                              {LrSchedule::Constant, "constant"}}};
};
template <>
struct EnumNames<DataSource> {
  static constexpr std::array<EnumName<DataSource>, 2> names{
      {{DataSource::Generate, "generate"}, {DataSource::Npy, "npy"}}};
};

template <class E>
std::string_view enum_to_string(E value) {
  for (const auto& entry : EnumNames<E>::names) {
    if (entry.value == value) {
      return entry.name;
    }
  }
  return "?";
}

template <class E>
std::string enum_choices() {
  std::string out;
  for (const auto& entry : EnumNames<E>::names) {
    out += out.empty() ? "" : ", ";
    out += entry.name;
  }
  return out;
}

}  // namespace

std::string_view to_string(MaskType value) {
  return enum_to_string(value);
}
std::string_view to_string(Task value) {
  return enum_to_string(value);
}
std::string_view to_string(FrameEmbedding value) {
  return enum_to_string(value);
}
std::string_view to_string(PositionalEncoding value) {
  return enum_to_string(value);
}
std::string_view to_string(SegmentStrategy value) {
  return enum_to_string(value);
}
std::string_view to_string(OptimizerName value) {
  return enum_to_string(value);
}
std::string_view to_string(BiasCorrection value) {
  return enum_to_string(value);
}
std::string_view to_string(LayerBuckets value) {
  return enum_to_string(value);
}
std::string_view to_string(LrSchedule value) {
  return enum_to_string(value);
}
std::string_view to_string(DataSource value) {
  return enum_to_string(value);
}

std::string key_message(std::string_view path, std::string_view message, std::string_view location) {
  if (location.empty()) {
    return fmt::format("{}: {}", path, message);
  }
  return fmt::format("{}: {} ({})", path, message, location);
}

namespace {

// ---------------------------------------------------------------------------------------------
// Rules: the range of each kind of value
// ---------------------------------------------------------------------------------------------

// Sizes and counts are capped so that the product of two of them still fits in int64.
constexpr std::int64_t kMaxCount = std::numeric_limits<std::int32_t>::max();

struct NoRule {};

struct IntRule {
  std::int64_t min = 0;
  std::int64_t max = kMaxCount;

  std::string expectation() const {
    if (max == kMaxCount && min == 1) {
      return "a positive integer";
    }
    if (max == kMaxCount && min == 0) {
      return "a non-negative integer";
    }
    return fmt::format("an integer in [{}, {}]", min, max);
  }
  bool contains(std::int64_t value) const { return value >= min && value <= max; }
};

struct NumberRule {
  double min = -HUGE_VAL;
  double max = HUGE_VAL;
  bool min_open = false;  // the interval excludes `min`
  bool max_open = false;

  std::string expectation() const {
    if (std::isinf(min) && std::isinf(max)) {
      return "a finite number";
    }
    if (std::isinf(max) && min == 0.0) {
      return min_open ? "a positive number" : "a non-negative number";
    }
    return fmt::format("a number in {}{}, {}{}", min_open ? '(' : '[', format_float(min), format_float(max),
                       max_open ? ')' : ']');
  }
  bool contains(double value) const {
    const bool above = min_open ? value > min : value >= min;
    const bool below = max_open ? value < max : value <= max;
    return above && below;
  }
};

const NumberRule kPositive{0.0, HUGE_VAL, true, false};
const NumberRule kNonNegative{0.0, HUGE_VAL, false, false};
const NumberRule kAnyFinite{};
const NumberRule kUnitOpen{0.0, 1.0, false, true};  // [0, 1): β and EMA factors

enum class StringRule { Any, NonEmpty, Label };

// ---------------------------------------------------------------------------------------------
// Reading one YAML node into one typed value (kind checks only; ranges come later)
// ---------------------------------------------------------------------------------------------

[[noreturn]] void fail(const std::string& path, const YamlNode& node, std::string_view message) {
  throw ConfigError(key_message(path, message, node.location()));
}

// The value for a message, cut to 80 characters: a list of thousands of items stays readable.
std::string shown(const YamlNode& node) {
  std::string text = emit_flow_yaml(node);
  if (text.size() > 80) {
    text.resize(77);
    text += "...";
  }
  return text;
}

void read_value(const YamlNode& node, const std::string& path, bool& out, NoRule) {
  const ScalarValue value = resolve_scalar(node);
  if (value.kind != ScalarValue::Kind::Bool) {
    fail(path, node, fmt::format("expected true or false, got {}", shown(node)));
  }
  out = value.boolean;
}

void read_value(const YamlNode& node, const std::string& path, std::int64_t& out, const IntRule& rule) {
  const ScalarValue value = resolve_scalar(node);
  const std::string expected = rule.expectation();
  if (value.kind == ScalarValue::Kind::Integer) {
    if (value.integer_overflow) {
      fail(path, node,
           fmt::format("expected {}, got {}, which overflows a 64-bit integer", expected, shown(node)));
    }
    out = value.integer;
    return;
  }
  if (value.kind == ScalarValue::Kind::Float) {
    // A float with an integral value (10.0, 1e3) is accepted for a count; a fraction is not.
    if (!std::isfinite(value.number)) {
      fail(path, node, fmt::format("expected {}, got {}", expected, shown(node)));
    }
    if (std::trunc(value.number) != value.number) {
      fail(path, node, fmt::format("expected {}, got the fraction {}", expected, shown(node)));
    }
    if (std::fabs(value.number) >= 9.2e18) {
      fail(path, node,
           fmt::format("expected {}, got {}, which overflows a 64-bit integer", expected, shown(node)));
    }
    out = static_cast<std::int64_t>(value.number);
    return;
  }
  fail(path, node, fmt::format("expected {}, got {}", expected, shown(node)));
}

void read_value(const YamlNode& node, const std::string& path, std::uint64_t& out, NoRule) {
  const ScalarValue value = resolve_scalar(node);
  const char* expected = "an integer in [0, 18446744073709551615]";
  if (value.kind == ScalarValue::Kind::Integer && !value.integer_overflow) {
    if (value.integer < 0) {
      fail(path, node, fmt::format("expected {}, got {}", expected, shown(node)));
    }
    out = static_cast<std::uint64_t>(value.integer);
    return;
  }
  if (value.kind == ScalarValue::Kind::Float && std::isfinite(value.number) &&
      std::trunc(value.number) == value.number && value.number >= 0.0 && value.number < 0x1p64) {
    // An integral float (5.0) is accepted, as the reference's int(seed) accepts it.
    out = static_cast<std::uint64_t>(value.number);
    return;
  }
  if (value.kind == ScalarValue::Kind::Integer && node.text.front() != '-') {
    // Above the int64 range: parse the decimal digits as uint64 directly.
    std::string_view digits = node.text;
    if (digits.front() == '+') {
      digits.remove_prefix(1);
    }
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    if (error == std::errc() && end == digits.data() + digits.size()) {
      return;
    }
  }
  fail(path, node, fmt::format("expected {}, got {}", expected, shown(node)));
}

void read_value(const YamlNode& node, const std::string& path, double& out, const NumberRule& rule) {
  const ScalarValue value = resolve_scalar(node);
  if (value.kind != ScalarValue::Kind::Integer && value.kind != ScalarValue::Kind::Float) {
    fail(path, node, fmt::format("expected {}, got {}", rule.expectation(), shown(node)));
  }
  if (!std::isfinite(value.number)) {
    fail(path, node, fmt::format("expected a finite number, got {}", shown(node)));
  }
  out = value.number;
}

void read_value(const YamlNode& node, const std::string& path, std::string& out, StringRule) {
  if (node.kind != YamlNode::Kind::Scalar) {
    fail(path, node, fmt::format("expected a string, got {}", shown(node)));
  }
  out = node.text;
}

template <class E>
void read_value(const YamlNode& node, const std::string& path, E& out, NoRule) requires std::is_enum_v<E> {
  const std::string choices = enum_choices<E>();
  if (node.kind != YamlNode::Kind::Scalar) {
    fail(path, node, fmt::format("expected one of {}, got {}", choices, shown(node)));
  }
  std::string text = node.text;
  if constexpr (std::is_same_v<E, OptimizerName>) {
    // The reference lower-cases the optimizer name before comparing it.
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
  for (const auto& entry : EnumNames<E>::names) {
    if (entry.name == text) {
      out = entry.value;
      return;
    }
  }
  fail(path, node, fmt::format("expected one of {}, got {}", choices, shown(node)));
}

template <class T, class Rule>
void read_value(const YamlNode& node, const std::string& path, std::optional<T>& out, const Rule& rule) {
  if (resolve_scalar(node).kind == ScalarValue::Kind::Null) {
    out.reset();
    return;
  }
  T value{};
  read_value(node, path, value, rule);
  out = value;
}

void read_value(const YamlNode& node, const std::string& path, Limits& out, const NumberRule& rule) {
  if (node.kind != YamlNode::Kind::Sequence || node.items.size() != 2) {
    fail(path, node, fmt::format("expected two numbers [low, high], got {}", shown(node)));
  }
  for (std::size_t i = 0; i < 2; ++i) {
    const ScalarValue value = resolve_scalar(node.items[i]);
    if (value.kind != ScalarValue::Kind::Integer && value.kind != ScalarValue::Kind::Float) {
      fail(path, node, fmt::format("expected two numbers [low, high], got {}", shown(node)));
    }
    if (!std::isfinite(value.number)) {
      fail(path, node, fmt::format("expected two finite numbers [low, high], got {}", shown(node)));
    }
    read_value(node.items[i], path, out[i], rule);
  }
}

// A schedule's epoch key: a non-negative decimal integer, written as a YAML int or a string
// (an --override such as learning_rate_schedule.30=5e-4 creates the string key "30").
std::optional<std::int64_t> parse_epoch_key(std::string_view text) {
  if (text.empty() || text.size() > 18 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::int64_t epoch = 0;
  std::from_chars(text.data(), text.data() + text.size(), epoch);
  return epoch;
}

void read_value(const YamlNode& node, const std::string& path, EpochSchedule& out, const NumberRule& rule) {
  out.clear();
  if (node.kind == YamlNode::Kind::Null) {
    return;
  }
  if (node.kind != YamlNode::Kind::Mapping) {
    fail(path, node,
         fmt::format("expected a mapping of epoch: value pairs such as {{30: 5.0e-4}}, got {}", shown(node)));
  }
  for (const auto& entry : node.entries) {
    const auto epoch = parse_epoch_key(entry.key);
    if (!epoch) {
      fail(path, entry.value,
           fmt::format("expected non-negative integer epochs as keys, got the key '{}'", entry.key));
    }
    if (out.contains(*epoch)) {
      fail(path, entry.value, fmt::format("epoch {} is given twice (as '{}')", *epoch, entry.key));
    }
    read_value(entry.value, path + "." + entry.key, out[*epoch], rule);
  }
}

// ---------------------------------------------------------------------------------------------
// Writing one typed value as a YAML node
// ---------------------------------------------------------------------------------------------

YamlNode scalar_node(std::string text, bool quoted = false) {
  YamlNode node;
  node.kind = YamlNode::Kind::Scalar;
  node.text = std::move(text);
  node.quoted = quoted;
  return node;
}

YamlNode write_value(bool value) {
  return scalar_node(value ? "true" : "false");
}
YamlNode write_value(std::int64_t value) {
  return scalar_node(fmt::format("{}", value));
}
YamlNode write_value(std::uint64_t value) {
  return scalar_node(fmt::format("{}", value));
}
YamlNode write_value(double value) {
  return scalar_node(format_float(value));
}
YamlNode write_value(const std::string& value) {
  return scalar_node(value, true);
}

template <class E>
YamlNode write_value(E value) requires std::is_enum_v<E> {
  return scalar_node(std::string(enum_to_string(value)));
}

template <class T>
YamlNode write_value(const std::optional<T>& value) {
  if (!value) {
    return YamlNode{};
  }
  return write_value(*value);
}

YamlNode write_value(const Limits& value) {
  YamlNode node;
  node.kind = YamlNode::Kind::Sequence;
  node.flow = true;
  node.items = {write_value(value[0]), write_value(value[1])};
  return node;
}

YamlNode write_value(const EpochSchedule& value) {
  YamlNode node;
  node.kind = YamlNode::Kind::Mapping;
  for (const auto& [epoch, number] : value) {
    node.entries.push_back({fmt::format("{}", epoch), 0, write_value(number)});
  }
  return node;
}

// ---------------------------------------------------------------------------------------------
// Range checks of one typed value
// ---------------------------------------------------------------------------------------------

void check_value(const std::string&, std::string_view, bool, NoRule) {}
void check_value(const std::string&, std::string_view, std::uint64_t, NoRule) {}

template <class E>
void check_value(const std::string&, std::string_view, E, NoRule) requires std::is_enum_v<E> {}

void check_value(const std::string& path, std::string_view location, std::int64_t value,
                 const IntRule& rule) {
  if (!rule.contains(value)) {
    throw ConfigError(
        key_message(path, fmt::format("expected {}, got {}", rule.expectation(), value), location));
  }
}

void check_value(const std::string& path, std::string_view location, double value, const NumberRule& rule) {
  if (!std::isfinite(value)) {
    throw ConfigError(
        key_message(path, fmt::format("expected a finite number, got {}", format_float(value)), location));
  }
  if (!rule.contains(value)) {
    throw ConfigError(key_message(
        path, fmt::format("expected {}, got {}", rule.expectation(), format_float(value)), location));
  }
}

void check_value(const std::string& path, std::string_view location, const std::string& value,
                 StringRule rule) {
  if (rule == StringRule::Any) {
    return;
  }
  if (value.empty()) {
    throw ConfigError(key_message(path, "expected a non-empty string, got \"\"", location));
  }
  if (rule == StringRule::Label && (value == "." || value == ".." || value.find('/') != std::string::npos ||
                                    value.find('\0') != std::string::npos)) {
    throw ConfigError(key_message(
        path,
        fmt::format("expected a name usable in a folder name (no '/', not '.' or '..'), got \"{}\"", value),
        location));
  }
}

template <class T, class Rule>
void check_value(const std::string& path, std::string_view location, const std::optional<T>& value,
                 const Rule& rule) {
  if (value) {
    check_value(path, location, *value, rule);
  }
}

void check_value(const std::string& path, std::string_view location, const Limits& value,
                 const NumberRule& rule) {
  for (const double limit : value) {
    check_value(path, location, limit, rule);
  }
}

void check_value(const std::string& path, std::string_view location, const EpochSchedule& value,
                 const NumberRule& rule) {
  for (const auto& [epoch, number] : value) {
    const std::string entry_path = fmt::format("{}.{}", path, epoch);
    check_value(entry_path, location, epoch, IntRule{0, std::numeric_limits<std::int64_t>::max()});
    check_value(entry_path, location, number, rule);
  }
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

// A field stored at `config .* members...` (for example &Config::model_params,
// &ModelParams::embed_dim), read, written and checked with `rule`.
template <class Rule, class... Members>
Field field(std::string path, Rule rule, Members... members) {
  Field f;
  f.path = path;
  f.read = [path, rule, members...](Config& config, const YamlNode& node) {
    read_value(node, path, (config.*....*members), rule);
  };
  f.write = [members...](const Config& config) { return write_value((config.*....*members)); };
  f.check_range = [path, rule, members...](const Config& config, std::string_view location) {
    check_value(path, location, (config.*....*members), rule);
  };
  return f;
}

std::vector<Field> build_fields() {
  using C = Config;
  using MP = ModelParams;
  using Opt = Optimizer;
  const IntRule positive{1, kMaxCount};
  const IntRule non_negative{0, kMaxCount};

  std::vector<Field> f;
  f.push_back(field("seed", NoRule{}, &C::seed));

  f.push_back(field("geometry.rod_length", kPositive, &C::geometry, &Geometry::rod_length));
  f.push_back(field("geometry.rod_width", kPositive, &C::geometry, &Geometry::rod_width));
  f.push_back(field("geometry.dx", kPositive, &C::geometry, &Geometry::dx));
  f.push_back(field("geometry.dy", kPositive, &C::geometry, &Geometry::dy));

  using BC = BoundaryConditions;
  f.push_back(
      field("boundary_conditions.left_limits", kAnyFinite, &C::boundary_conditions, &BC::left_limits));
  f.push_back(
      field("boundary_conditions.right_limits", kAnyFinite, &C::boundary_conditions, &BC::right_limits));
  f.push_back(field("boundary_conditions.top_limits", kAnyFinite, &C::boundary_conditions, &BC::top_limits));
  f.push_back(
      field("boundary_conditions.bottom_limits", kAnyFinite, &C::boundary_conditions, &BC::bottom_limits));
  f.push_back(field("thermal_diffusivity.alpha_limits", kPositive, &C::thermal_diffusivity,
                    &ThermalDiffusivity::alpha_limits));

  f.push_back(
      field("model_params.start_predicting_from", positive, &C::model_params, &MP::start_predicting_from));
  f.push_back(field("model_params.batch_size", positive, &C::model_params, &MP::batch_size));
  f.push_back(field("model_params.epochs", positive, &C::model_params, &MP::epochs));
  f.push_back(field("model_params.time_steps", IntRule{2, kMaxCount}, &C::model_params, &MP::time_steps));
  f.push_back(field("model_params.num_heads", positive, &C::model_params, &MP::num_heads));
  f.push_back(field("model_params.num_encoder_layers", positive, &C::model_params, &MP::num_encoder_layers));
  f.push_back(field("model_params.mlp_dim", positive, &C::model_params, &MP::mlp_dim));
  f.push_back(field("model_params.embed_dim", positive, &C::model_params, &MP::embed_dim));
  f.push_back(field("model_params.mask_type", NoRule{}, &C::model_params, &MP::mask_type));
  f.push_back(field("model_params.task", NoRule{}, &C::model_params, &MP::task));
  f.push_back(field("model_params.frame_embedding", NoRule{}, &C::model_params, &MP::frame_embedding));
  f.push_back(
      field("model_params.positional_encoding", NoRule{}, &C::model_params, &MP::positional_encoding));
  f.push_back(field("model_params.learn_mask_bias", NoRule{}, &C::model_params, &MP::learn_mask_bias));

  f.push_back(field("learning_rate_schedule", kNonNegative, &C::learning_rate_schedule));
  f.push_back(field("scale_schedule", kAnyFinite, &C::scale_schedule));
  f.push_back(field("run_label", StringRule::Label, &C::run_label));
  f.push_back(field("boundary_segment_strategy", NoRule{}, &C::boundary_segment_strategy));
  f.push_back(field("training_samples", positive, &C::training_samples));
  f.push_back(field("start_from_scratch", NoRule{}, &C::start_from_scratch));
  f.push_back(field("checkpoint_epoch", non_negative, &C::checkpoint_epoch));
  f.push_back(field("current_epoch", non_negative, &C::current_epoch));
  f.push_back(field("save_checkpoints", NoRule{}, &C::save_checkpoints));
  f.push_back(field("save_interval", positive, &C::save_interval));
  f.push_back(field("compare_current_loaded", NoRule{}, &C::compare_current_loaded));
  f.push_back(field("configuration_dump", NoRule{}, &C::configuration_dump));

  f.push_back(field("io_and_plots.plots.movie_frames", NoRule{}, &C::io_and_plots, &IoAndPlots::plots,
                    &Plots::movie_frames));
  f.push_back(field("io_and_plots.plots.num_examples", non_negative, &C::io_and_plots, &IoAndPlots::plots,
                    &Plots::num_examples));
  f.push_back(field("io_and_plots.model_saving", NoRule{}, &C::io_and_plots, &IoAndPlots::model_saving));

  f.push_back(field("eval.n_replace", positive, &C::eval, &Eval::n_replace));
  f.push_back(field("eval.n_initial_frames", positive, &C::eval, &Eval::n_initial_frames));
  f.push_back(field("eval.batch_size_override", positive, &C::eval, &Eval::batch_size_override));

  f.push_back(field("optimizer.name", NoRule{}, &C::optimizer, &Opt::name));
  f.push_back(field("optimizer.kour_diagnostics", NoRule{}, &C::optimizer, &Opt::kour_diagnostics));
  f.push_back(field("optimizer.beta1", kUnitOpen, &C::optimizer, &Opt::beta1));
  f.push_back(field("optimizer.beta2_min", kUnitOpen, &C::optimizer, &Opt::beta2_min));
  f.push_back(field("optimizer.beta2_max", kUnitOpen, &C::optimizer, &Opt::beta2_max));
  f.push_back(field("optimizer.alpha", kUnitOpen, &C::optimizer, &Opt::alpha));
  f.push_back(field("optimizer.eps", kPositive, &C::optimizer, &Opt::eps));
  f.push_back(field("optimizer.tiny_spike", kNonNegative, &C::optimizer, &Opt::tiny_spike));
  f.push_back(field("optimizer.tiny_denom", kNonNegative, &C::optimizer, &Opt::tiny_denom));
  f.push_back(field("optimizer.decay", NumberRule{0.0, 1.0, false, false}, &C::optimizer, &Opt::decay));
  f.push_back(field("optimizer.adaptive_tiny", NoRule{}, &C::optimizer, &Opt::adaptive_tiny));
  f.push_back(field("optimizer.max_ratio", kPositive, &C::optimizer, &Opt::max_ratio));
  f.push_back(field("optimizer.warmup_steps", non_negative, &C::optimizer, &Opt::warmup_steps));
  f.push_back(field("optimizer.bias_correction", NoRule{}, &C::optimizer, &Opt::bias_correction));
  f.push_back(field("optimizer.init_lr", kNonNegative, &C::optimizer, &Opt::init_lr));
  f.push_back(field("optimizer.target_lr", kNonNegative, &C::optimizer, &Opt::target_lr));
  f.push_back(field("optimizer.ramp_steps", positive, &C::optimizer, &Opt::ramp_steps));
  f.push_back(field("optimizer.layer_buckets", NoRule{}, &C::optimizer, &Opt::layer_buckets));
  f.push_back(field("optimizer.lr_schedule", NoRule{}, &C::optimizer, &Opt::lr_schedule));
  f.push_back(field("optimizer.adam_beta2", kUnitOpen, &C::optimizer, &Opt::adam_beta2));

  f.push_back(field("tracking.collect_spikes", NoRule{}, &C::tracking, &Tracking::collect_spikes));
  f.push_back(field("tracking.window", positive, &C::tracking, &Tracking::window));
  f.push_back(field("tracking.plot_stride", positive, &C::tracking, &Tracking::plot_stride));

  f.push_back(field("storage.outdir", StringRule::NonEmpty, &C::storage, &Storage::outdir));
  f.push_back(field("data.source", NoRule{}, &C::data, &Data::source));
  f.push_back(field("data.dir", StringRule::NonEmpty, &C::data, &Data::dir));
  f.push_back(field("threads", IntRule{0, 4096}, &C::threads));
  return f;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

std::string_view last_part(std::string_view path) {
  const auto dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

const std::set<std::string, std::less<>>& section_paths() {
  static const std::set<std::string, std::less<>> sections = [] {
    std::set<std::string, std::less<>> out;
    for (const auto& f : fields()) {
      for (auto dot = f.path.find('.'); dot != std::string::npos; dot = f.path.find('.', dot + 1)) {
        out.insert(f.path.substr(0, dot));
      }
    }
    return out;
  }();
  return sections;
}

}  // namespace

const std::vector<Field>& fields() {
  static const std::vector<Field> table = build_fields();
  return table;
}

bool is_section(std::string_view path) {
  return section_paths().contains(path);
}

std::string closest_key(std::string_view path) {
  std::vector<std::string_view> candidates;
  for (const auto& f : fields()) {
    candidates.push_back(f.path);
  }
  for (const auto& section : section_paths()) {
    candidates.push_back(section);
  }

  std::string_view best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto candidate : candidates) {
    // A key under the wrong section (model_params.seed) matches on its last part; one extra
    // point keeps a same-section match ahead of it.
    const std::size_t distance =
        std::min(edit_distance(path, candidate), edit_distance(last_part(path), last_part(candidate)) + 1);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  const std::size_t allowed = std::max<std::size_t>(2, last_part(path).size() / 3);
  return best_distance <= allowed ? std::string(best) : std::string();
}

}  // namespace kbeta::config
