#include "config/validate.hpp"

#include <fmt/format.h>

#include "config/yaml_tree.hpp"
#include "core/error.hpp"

namespace kbeta::config {

namespace {

// Grids larger than this per side cannot fit a frame in memory for any useful batch.
constexpr std::int64_t kMaxGridPoints = 100000;

// The explicit scheme is stable while α·dt·(1/dx² + 1/dy²) ≤ 0.5. The limit itself is allowed:
// dy = dx/2 gives exactly 0.5 in exact arithmetic but 0.5000000000000001 in double.
constexpr double kStabilityLimit = 0.5;
constexpr double kStabilityRelativeTolerance = 1e-9;

class Checker {
 public:
  Checker(const Config& config, const KeyLocations& locations) : config_(config), locations_(locations) {}

  [[noreturn]] void fail(std::string_view path, std::string_view message) const {
    const auto it = locations_.find(path);
    throw ConfigError(key_message(path, message, it == locations_.end() ? std::string_view() : it->second));
  }

  void check_all() const {
    for (const auto& f : fields()) {
      const auto it = locations_.find(f.path);
      f.check_range(config_, it == locations_.end() ? std::string_view() : std::string_view(it->second));
    }
    check_model();
    check_eval();
    check_geometry();
    check_data();
    check_optimizer();
    check_resume();
  }

 private:
  void check_model() const {
    const ModelParams& m = config_.model_params;
    if (m.embed_dim % m.num_heads != 0) {
      fail("model_params.embed_dim", fmt::format("expected a multiple of model_params.num_heads = {}, got {}",
                                                 m.num_heads, m.embed_dim));
    }
    if (m.embed_dim % 2 != 0) {
      fail("model_params.embed_dim",
           fmt::format("expected an even number because the positional encodings work on pairs of features, "
                       "got {}",
                       m.embed_dim));
    }
    if (m.start_predicting_from > m.time_steps) {
      fail("model_params.start_predicting_from",
           fmt::format("expected an integer in [1, model_params.time_steps = {}], got {}", m.time_steps,
                       m.start_predicting_from));
    }
  }

  void check_eval() const {
    const std::int64_t time_steps = config_.model_params.time_steps;
    const std::int64_t n_initial = config_.eval.n_initial_frames;
    if (n_initial >= time_steps) {
      fail("eval.n_initial_frames",
           fmt::format(
               "expected an integer in [1, model_params.time_steps - 1 = {}] so that at least one frame "
               "is predicted, got {}",
               time_steps - 1, n_initial));
    }
  }

  void check_geometry() const {
    const Geometry& g = config_.geometry;
    const std::int64_t nx = g.nx();
    const std::int64_t ny = g.ny();
    if (nx < 3 || nx > kMaxGridPoints) {
      fail("geometry.dx",
           fmt::format(
               "expected int(rod_length / dx) + 1 in [3, {}] grid points, got {} (rod_length {}, dx {})",
               kMaxGridPoints, nx, format_float(g.rod_length), format_float(g.dx)));
    }
    if (ny < 3 || ny > kMaxGridPoints) {
      fail(
          "geometry.dy",
          fmt::format("expected int(rod_width / dy) + 1 in [3, {}] grid points, got {} (rod_width {}, dy {})",
                      kMaxGridPoints, ny, format_float(g.rod_width), format_float(g.dy)));
    }
    if (config_.boundary_segment_strategy == SegmentStrategy::Challenge1 && ny < 12) {
      fail("boundary_segment_strategy",
           fmt::format(
               "challenge_1 fixes rows 8-11 of the left and right columns, so it needs at least 12 grid "
               "rows, got ny = {}",
               ny));
    }
    if (config_.boundary_segment_strategy == SegmentStrategy::Challenge2 && (nx < 5 || ny < 5)) {
      fail("boundary_segment_strategy",
           fmt::format(
               "challenge_2 places 4-point segments at random starts, so it needs at least 5 grid points "
               "per side, got nx = {}, ny = {}",
               nx, ny));
    }
  }

  void check_data() const {
    const Data& data = config_.data;
    if (data.source == DataSource::Npy) {
      if (!data.dir) {
        fail("data.dir", "expected the folder of the nine .npy files because data.source is npy, got null");
      }
      return;
    }
    if (data.dir) {
      fail("data.dir",
           fmt::format("is set to \"{}\" but data.source is generate; set data.source: npy to train "
                       "on those files, or remove data.dir",
                       *data.dir));
    }
    const double coefficient = ftcs_coefficient(config_);
    if (coefficient > kStabilityLimit * (1.0 + kStabilityRelativeTolerance)) {
      fail("geometry.dy",
           fmt::format("the explicit scheme is unstable: alpha·dt·(1/dx² + 1/dy²) = {:.6g} > 0.5 with "
                       "dt = dx²/(10·alpha), dx = {}, dy = {}; use dy ≥ dx/2",
                       coefficient, format_float(config_.geometry.dx), format_float(config_.geometry.dy)));
    }
    const SplitSizes sizes = split_sizes(config_.training_samples);
    if (sizes.train < 1 || sizes.validation < 1 || sizes.test < 1) {
      fail("training_samples",
           fmt::format("expected at least 4 so that the 70/20/10 split leaves every split a sample, got {} "
                       "({} / {} / {})",
                       config_.training_samples, sizes.train, sizes.validation, sizes.test));
    }
  }

  void check_optimizer() const {
    const Optimizer& o = config_.optimizer;
    if (o.beta2_min > o.beta2_max) {
      fail("optimizer.beta2_min", fmt::format("expected at most optimizer.beta2_max = {}, got {}",
                                              format_float(o.beta2_max), format_float(o.beta2_min)));
    }
  }

  void check_resume() const {
    if (!config_.start_from_scratch && !config_.checkpoint_epoch) {
      fail("checkpoint_epoch",
           "expected the epoch of the checkpoint to resume from because start_from_scratch is false, got "
           "null");
    }
  }

  const Config& config_;
  const KeyLocations& locations_;
};

}  // namespace

void validate(const Config& config, const KeyLocations& locations) {
  Checker(config, locations).check_all();
}

void validate(const Config& config) {
  validate(config, KeyLocations{});
}

}  // namespace kbeta::config
