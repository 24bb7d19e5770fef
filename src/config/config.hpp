// The run configuration: one typed struct whose nested structs mirror the YAML sections.
// Every key has the Python reference's default, so a YAML file written for the reference
// resolves to the same settings. Keys the reference reads without a default take the value
// of its heat2d.yml preset. docs/configuration.md describes every key.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace kbeta::config {

enum class MaskType { Block, Causal };
enum class Task { Reconstruct, Forecast };
enum class FrameEmbedding { FrozenRandom, Linear };
enum class PositionalEncoding { Rope, Sinusoidal };
enum class SegmentStrategy { BaseCase, Challenge1, Challenge2 };
enum class OptimizerName { Adam95, Adam999, Kourkoutas };
enum class BiasCorrection { None, Beta2Max, Exact };
enum class LayerBuckets { Global, Tensor, Layer, Shape };
enum class LrSchedule { Reference, Table, Cosine, Constant };
enum class DataSource { Generate, Npy };

// The YAML spelling of each enum value ("block", "challenge_1", "beta2max", ...).
std::string_view to_string(MaskType value);
std::string_view to_string(Task value);
std::string_view to_string(FrameEmbedding value);
std::string_view to_string(PositionalEncoding value);
std::string_view to_string(SegmentStrategy value);
std::string_view to_string(OptimizerName value);
std::string_view to_string(BiasCorrection value);
std::string_view to_string(LayerBuckets value);
std::string_view to_string(LrSchedule value);
std::string_view to_string(DataSource value);

// A closed interval [low, high] written in YAML as a two-number list `[low, high]`.
using Limits = std::array<double, 2>;

// Epoch (0-based) → value, as in `learning_rate_schedule: {30: 5.0e-4}`.
using EpochSchedule = std::map<std::int64_t, double>;

struct Geometry {
  double rod_length = 1.0;  // domain extent along x
  double rod_width = 1.0;   // domain extent along y
  double dx = 0.04;         // grid spacing along x
  double dy = 0.04;         // grid spacing along y

  // Grid points along x and y: int(rod_length / dx) + 1 in double, as the reference computes
  // them (1.0 / 0.04 = 25.0 exactly, so the presets give 26).
  std::int64_t nx() const;
  std::int64_t ny() const;

  bool operator==(const Geometry&) const = default;
};

struct BoundaryConditions {
  Limits left_limits{0.0, 1.0};
  Limits right_limits{0.0, 1.0};
  Limits top_limits{0.0, 1.0};
  Limits bottom_limits{0.0, 0.1};

  bool operator==(const BoundaryConditions&) const = default;
};

struct ThermalDiffusivity {
  Limits alpha_limits{0.01, 0.1};

  bool operator==(const ThermalDiffusivity&) const = default;
};

struct ModelParams {
  std::int64_t start_predicting_from = 5;
  std::int64_t batch_size = 4;
  std::int64_t epochs = 10;
  std::int64_t time_steps = 401;
  std::int64_t num_heads = 16;
  std::int64_t num_encoder_layers = 24;
  std::int64_t mlp_dim = 256;
  std::int64_t embed_dim = 512;
  MaskType mask_type = MaskType::Block;
  Task task = Task::Reconstruct;
  FrameEmbedding frame_embedding = FrameEmbedding::FrozenRandom;
  PositionalEncoding positional_encoding = PositionalEncoding::Rope;
  bool learn_mask_bias = true;

  bool operator==(const ModelParams&) const = default;
};

struct Plots {
  bool movie_frames = false;
  std::int64_t num_examples = 20;

  bool operator==(const Plots&) const = default;
};

struct IoAndPlots {
  Plots plots;
  bool model_saving = false;

  bool operator==(const IoAndPlots&) const = default;
};

struct Eval {
  std::int64_t n_replace = 5;  // frames fed back per autoregressive rollout step
  std::int64_t n_initial_frames = 5;
  std::optional<std::int64_t> batch_size_override;  // unset: model_params.batch_size

  std::int64_t effective_batch_size(std::int64_t batch_size) const {
    return batch_size_override.value_or(batch_size);
  }

  bool operator==(const Eval&) const = default;
};

struct Optimizer {
  OptimizerName name = OptimizerName::Adam999;
  bool kour_diagnostics = false;
  double beta1 = 0.9;
  double beta2_min = 0.88;
  double beta2_max = 0.999;
  double alpha = 0.93;  // EMA factor of the gradient norm (Kourkoutas-β)
  double eps = 1e-8;
  double tiny_spike = 1e-8;
  double tiny_denom = 1e-8;
  std::optional<double> decay;
  bool adaptive_tiny = false;
  std::optional<double> max_ratio;
  std::int64_t warmup_steps = 350;
  BiasCorrection bias_correction = BiasCorrection::Beta2Max;
  double init_lr = 1e-3;
  double target_lr = 1e-5;
  std::int64_t ramp_steps = 60000;
  LayerBuckets layer_buckets = LayerBuckets::Global;
  LrSchedule lr_schedule = LrSchedule::Reference;
  std::optional<double> adam_beta2;  // unset: 0.95 for adam95, 0.999 otherwise

  double effective_adam_beta2() const;

  bool operator==(const Optimizer&) const = default;
};

struct Tracking {
  bool collect_spikes = false;
  std::int64_t window = 1;                  // epochs per committed sun-spike/β₂ window
  std::optional<std::int64_t> plot_stride;  // unset: 10 · window

  std::int64_t effective_plot_stride() const { return plot_stride.value_or(10 * window); }

  bool operator==(const Tracking&) const = default;
};

struct Storage {
  std::string outdir = ".";

  bool operator==(const Storage&) const = default;
};

struct Data {
  DataSource source = DataSource::Generate;
  std::optional<std::string> dir;  // folder of the nine .npy files; required for source npy

  bool operator==(const Data&) const = default;
};

struct Config {
  std::uint64_t seed = 30;
  Geometry geometry;
  BoundaryConditions boundary_conditions;
  ThermalDiffusivity thermal_diffusivity;
  ModelParams model_params;
  EpochSchedule learning_rate_schedule;
  EpochSchedule scale_schedule;  // accepted for compatibility; nothing reads it
  std::string run_label = "run_permute_quant_builtin_rope_Kourkoub1";
  SegmentStrategy boundary_segment_strategy = SegmentStrategy::BaseCase;
  std::int64_t training_samples = 4000;
  bool start_from_scratch = true;
  std::optional<std::int64_t> checkpoint_epoch;
  std::optional<std::int64_t> current_epoch;  // accepted for compatibility; nothing reads it
  bool save_checkpoints = true;
  std::int64_t save_interval = 10;
  bool compare_current_loaded = false;
  bool configuration_dump = false;
  IoAndPlots io_and_plots;
  Eval eval;
  Optimizer optimizer;
  Tracking tracking;
  Storage storage;
  Data data;
  std::int64_t threads = 0;  // OpenMP threads; 0 uses every core

  bool operator==(const Config&) const = default;
};

// Sizes of the train/validation/test splits of `training_samples` generated samples:
// int(0.7·N), int(0.9·N) − int(0.7·N) and the rest, in double as the reference computes them.
struct SplitSizes {
  std::int64_t train = 0;
  std::int64_t validation = 0;
  std::int64_t test = 0;
};
SplitSizes split_sizes(std::int64_t training_samples);

// The explicit scheme's coefficient α·dt·(1/dx² + 1/dy²) with dt = dx²/(10α), in double, for
// the larger α limit. The scheme is stable when it is at most 0.5.
double ftcs_coefficient(const Config& config);

}  // namespace kbeta::config
