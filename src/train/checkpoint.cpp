#include "train/checkpoint.hpp"

#include <charconv>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace kbeta::train {

namespace {

constexpr const char* kFormatKey = "format";
constexpr const char* kCheckpointFormat = "kbeta-heat2d checkpoint 1";
constexpr const char* kParametersFormat = "kbeta-heat2d parameters 1";
constexpr const char* kFrozenPrefix = "frozen.";
constexpr const char* kOptimizerPrefix = "optimizer.";

// memcpy of a tensor's bytes; an empty tensor copies nothing (its destination may be null).
void copy_bytes(void* destination, std::span<const std::byte> raw) {
  if (!raw.empty()) {
    std::memcpy(destination, raw.data(), raw.size());
  }
}

template <typename V>
io::DType dtype_of(std::span<V>) {
  using T = std::remove_const_t<V>;
  return std::is_same_v<T, float>    ? io::DType::F32
         : std::is_same_v<T, double> ? io::DType::F64
                                     : io::DType::I64;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  return fmt::format("({})", fmt::join(shape, ", "));
}

void add_table(std::vector<io::TensorToWrite>& out, const ParamTable& table, std::span<const float> values,
               const std::string& prefix) {
  KBETA_CHECK(values.size() == table.total_size());
  for (const auto& p : table.entries()) {
    out.push_back(io::tensor_f32(prefix + p.name, p.shape, values.subspan(p.offset, p.size)));
  }
}

// Spike samples as five parallel columns plus the list of bucket names.
struct SpikeColumns {
  std::vector<std::int64_t> epoch, step, bucket;
  std::vector<double> sunspike, beta2;
  std::vector<std::string> names;
};

SpikeColumns to_columns(const std::vector<SpikeSample>& samples) {
  SpikeColumns c;
  std::map<std::string, std::int64_t> index;
  for (const auto& s : samples) {
    auto [it, inserted] = index.emplace(s.bucket, static_cast<std::int64_t>(c.names.size()));
    if (inserted) {
      c.names.push_back(s.bucket);
    }
    c.epoch.push_back(s.epoch);
    c.step.push_back(s.step);
    c.bucket.push_back(it->second);
    c.sunspike.push_back(s.sunspike);
    c.beta2.push_back(s.beta2);
  }
  return c;
}

std::map<std::string, std::string> metadata_map(const CheckpointMetadata& m, const SpikeColumns& spikes) {
  const auto& p = m.position;
  return {
      {kFormatKey, kCheckpointFormat},
      {"epoch", std::to_string(p.epoch)},
      {"batch_in_epoch", std::to_string(p.batch_in_epoch)},
      {"step", std::to_string(p.step)},
      {"rng_state", fmt::format("{} {}", p.rng_state.k0, p.rng_state.k1)},
      // 17 significant digits round-trip a double exactly, which bit-identical resume needs.
      {"epoch_loss_sum", fmt::format("{:.17g}", p.epoch_loss_sum)},
      {"seed", std::to_string(m.seed)},
      {"threads", std::to_string(m.threads)},
      {"config", m.config_yaml},
      {"config_hash", m.config_hash},
      {"tracking_buckets", nlohmann::json(spikes.names).dump()},
  };
}

// The value of a metadata key, or an error naming the file and the key.
const std::string& required(const io::Safetensors& file, const std::string& key) {
  const auto it = file.metadata().find(key);
  if (it == file.metadata().end()) {
    throw Error(
        fmt::format("{}: not a kbeta-heat2d checkpoint: metadata key '{}' is missing", file.origin(), key));
  }
  return it->second;
}

template <typename T>
T parse_number(const io::Safetensors& file, const std::string& key) {
  const std::string& text = required(file, key);
  try {
    std::size_t used = 0;
    T value{};
    if constexpr (std::is_same_v<T, double>) {
      value = std::stod(text, &used);
    } else if constexpr (std::is_same_v<T, std::uint64_t>) {
      value = std::stoull(text, &used);
    } else {
      value = static_cast<T>(std::stoll(text, &used));
    }
    if (used != text.size()) {
      throw std::invalid_argument(text);
    }
    return value;
  } catch (const std::exception&) {
    throw Error(
        fmt::format("{}: invalid checkpoint metadata '{}': '{}' is not a number", file.origin(), key, text));
  }
}

// "K0 K1" as written by metadata_map, or nullopt.
std::optional<rng::Key> parse_key(const std::string& text) {
  rng::Key key;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto first = std::from_chars(begin, end, key.k0);
  if (first.ec != std::errc() || first.ptr == end || *first.ptr != ' ') {
    return std::nullopt;
  }
  auto second = std::from_chars(first.ptr + 1, end, key.k1);
  if (second.ec != std::errc() || second.ptr != end) {
    return std::nullopt;
  }
  return key;
}

void check_tensor(const io::Safetensors& file, const std::string& name,
                  const std::vector<std::int64_t>& shape, io::DType dtype) {
  if (!file.contains(name)) {
    throw Error(
        fmt::format("{}: tensor '{}' is missing; the checkpoint does not match this model or optimiser",
                    file.origin(), name));
  }
  const auto& info = file.info(name);
  if (info.shape != shape) {
    throw Error(fmt::format("{}: tensor '{}' has shape {} but the configuration expects {}", file.origin(),
                            name, shape_text(info.shape), shape_text(shape)));
  }
  if (info.dtype != dtype) {
    throw Error(fmt::format("{}: tensor '{}' has dtype {}, expected {}", file.origin(), name,
                            io::dtype_name(info.dtype), io::dtype_name(dtype)));
  }
}

void check_table(const io::Safetensors& file, const ParamTable& table, const std::string& prefix) {
  for (const auto& p : table.entries()) {
    check_tensor(file, prefix + p.name, p.shape, io::DType::F32);
  }
}

// Copies after check_table() passed.
void copy_table(const io::Safetensors& file, const ParamTable& table, std::span<float> values,
                const std::string& prefix) {
  for (const auto& p : table.entries()) {
    const auto raw = file.raw(prefix + p.name);
    copy_bytes(values.data() + p.offset, raw);
  }
}

template <typename T>
std::vector<T> read_column(const io::Safetensors& file, const std::string& name, io::DType dtype,
                           std::size_t n) {
  check_tensor(file, name, {static_cast<std::int64_t>(n)}, dtype);
  std::vector<T> out(n);
  const auto raw = file.raw(name);
  copy_bytes(out.data(), raw);
  return out;
}

std::vector<SpikeSample> read_pending_spikes(const io::Safetensors& file) {
  std::vector<std::string> names;
  try {
    names = nlohmann::json::parse(required(file, "tracking_buckets")).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception&) {
    throw Error(fmt::format("{}: invalid checkpoint metadata 'tracking_buckets'", file.origin()));
  }
  if (!file.contains("tracking.step")) {
    throw Error(fmt::format("{}: tensor 'tracking.step' is missing", file.origin()));
  }
  const auto& step_info = file.info("tracking.step");
  if (step_info.shape.size() != 1) {
    throw Error(fmt::format("{}: tensor 'tracking.step' is not one-dimensional", file.origin()));
  }
  const auto n = static_cast<std::size_t>(step_info.shape[0]);
  const auto epoch = read_column<std::int64_t>(file, "tracking.epoch", io::DType::I64, n);
  const auto step = read_column<std::int64_t>(file, "tracking.step", io::DType::I64, n);
  const auto bucket = read_column<std::int64_t>(file, "tracking.bucket", io::DType::I64, n);
  const auto sunspike = read_column<double>(file, "tracking.sunspike", io::DType::F64, n);
  const auto beta2 = read_column<double>(file, "tracking.beta2", io::DType::F64, n);
  std::vector<SpikeSample> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (bucket[i] < 0 || static_cast<std::size_t>(bucket[i]) >= names.size()) {
      throw Error(fmt::format("{}: tracking.bucket[{}] = {} names no bucket", file.origin(), i, bucket[i]));
    }
    out[i] = {static_cast<int>(epoch[i]), step[i], names[static_cast<std::size_t>(bucket[i])], sunspike[i],
              beta2[i]};
  }
  return out;
}

}  // namespace

void save_checkpoint(const std::filesystem::path& path, Model& model, optim::Optimizer* optimizer,
                     const CheckpointMetadata& metadata) {
  std::vector<io::TensorToWrite> tensors;
  add_table(tensors, model.params(), model.parameters(), "");
  add_table(tensors, model.frozen(), model.frozen_values(), kFrozenPrefix);

  // The optimiser names its state "optimizer.*" itself.
  std::vector<optim::StateTensor> state;
  if (optimizer != nullptr) {
    state = optimizer->state();
  }
  for (const auto& st : state) {
    io::TensorToWrite t;
    t.name = st.name;
    t.shape = st.shape;
    std::visit(
        [&](const auto& values) {
          t.dtype = dtype_of(values);
          t.bytes = std::as_bytes(values);
        },
        st.data);
    tensors.push_back(std::move(t));
  }

  const SpikeColumns spikes = to_columns(metadata.pending_spikes);
  const auto n = static_cast<std::int64_t>(spikes.step.size());
  tensors.push_back({"tracking.epoch", io::DType::I64, {n}, std::as_bytes(std::span(spikes.epoch))});
  tensors.push_back({"tracking.step", io::DType::I64, {n}, std::as_bytes(std::span(spikes.step))});
  tensors.push_back({"tracking.bucket", io::DType::I64, {n}, std::as_bytes(std::span(spikes.bucket))});
  tensors.push_back({"tracking.sunspike", io::DType::F64, {n}, std::as_bytes(std::span(spikes.sunspike))});
  tensors.push_back({"tracking.beta2", io::DType::F64, {n}, std::as_bytes(std::span(spikes.beta2))});

  std::filesystem::create_directories(path.parent_path());
  io::save_safetensors(path, tensors, metadata_map(metadata, spikes));
}

void save_parameters(const std::filesystem::path& path, Model& model) {
  std::vector<io::TensorToWrite> tensors;
  add_table(tensors, model.params(), model.parameters(), "");
  std::filesystem::create_directories(path.parent_path());
  io::save_safetensors(path, tensors, {{kFormatKey, kParametersFormat}});
}

LoadedCheckpoint read_checkpoint(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) {
    throw Error(fmt::format("checkpoint {} not found; check the path or the checkpoint_epoch setting",
                            path.string()));
  }
  LoadedCheckpoint out{io::Safetensors::load(path), {}};
  const auto& file = out.file;
  if (required(file, kFormatKey) != kCheckpointFormat) {
    throw Error(fmt::format("{}: format '{}' is not '{}'; use --init-from for a parameters-only file",
                            path.string(), required(file, kFormatKey), kCheckpointFormat));
  }

  auto& m = out.metadata;
  m.position.epoch = parse_number<int>(file, "epoch");
  m.position.batch_in_epoch = parse_number<int>(file, "batch_in_epoch");
  m.position.step = parse_number<std::int64_t>(file, "step");
  m.position.epoch_loss_sum = parse_number<double>(file, "epoch_loss_sum");
  if (m.position.epoch < 0 || m.position.batch_in_epoch < 0 || m.position.step < 0) {
    throw Error(fmt::format("{}: invalid checkpoint metadata: negative epoch, batch or step", path.string()));
  }

  const std::string& rng_text = required(file, "rng_state");
  const auto key = parse_key(rng_text);
  if (!key) {
    throw Error(
        fmt::format("{}: invalid checkpoint metadata 'rng_state': '{}', expected two unsigned 32-bit numbers",
                    path.string(), rng_text));
  }
  m.position.rng_state = *key;

  m.seed = parse_number<std::uint64_t>(file, "seed");
  m.threads = parse_number<int>(file, "threads");
  m.config_yaml = required(file, "config");
  m.config_hash = required(file, "config_hash");
  m.pending_spikes = read_pending_spikes(file);
  return out;
}

void restore_model(const io::Safetensors& file, Model& model) {
  check_table(file, model.params(), "");
  check_table(file, model.frozen(), kFrozenPrefix);
  copy_table(file, model.params(), model.parameters(), "");
  copy_table(file, model.frozen(), model.frozen_values(), kFrozenPrefix);
  model.refresh_after_load();
}

void restore_optimizer(const io::Safetensors& file, optim::Optimizer& optimizer) {
  // Copies of the stored bytes, aligned for their element type, viewed by the tensors handed to
  // load_state(), which checks names, shapes and dtypes against the optimiser's own state.
  std::vector<std::vector<float>> floats;
  std::vector<std::vector<double>> doubles;
  std::vector<std::vector<std::int64_t>> integers;
  std::vector<optim::StateTensor> given;
  for (const auto& [name, info] : file.tensors()) {
    if (name.rfind(kOptimizerPrefix, 0) != 0) {
      continue;
    }
    const auto raw = file.raw(name);
    optim::StateTensor t{name, info.shape, std::span<const float>()};
    if (info.dtype == io::DType::F32) {
      auto& v = floats.emplace_back(info.numel());
      copy_bytes(v.data(), raw);
      t.data = std::span<const float>(v);
    } else if (info.dtype == io::DType::F64) {
      auto& v = doubles.emplace_back(info.numel());
      copy_bytes(v.data(), raw);
      t.data = std::span<const double>(v);
    } else if (info.dtype == io::DType::I64) {
      auto& v = integers.emplace_back(info.numel());
      copy_bytes(v.data(), raw);
      t.data = std::span<const std::int64_t>(v);
    } else {
      throw Error(fmt::format("{}: optimiser tensor '{}' has dtype {}, expected F32, F64 or I64",
                              file.origin(), name, io::dtype_name(info.dtype)));
    }
    given.push_back(std::move(t));
  }
  try {
    optimizer.load_state(given);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: the optimiser state does not match the configured optimiser: {}",
                            file.origin(), e.what()));
  }
}

void initialize_from(const std::filesystem::path& path, Model& model) {
  if (!std::filesystem::exists(path)) {
    throw Error(fmt::format("--init-from: {} not found", path.string()));
  }
  const auto file = io::Safetensors::load(path);
  check_table(file, model.params(), "");
  copy_table(file, model.params(), model.parameters(), "");
  model.refresh_after_load();
}

std::string text_hash(const std::string& text) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

}  // namespace kbeta::train
