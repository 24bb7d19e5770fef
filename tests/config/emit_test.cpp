#include "config/emit.hpp"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/load.hpp"
#include "config/presets.hpp"
#include "config/schema.hpp"

namespace kbeta::config {
namespace {

using ::testing::HasSubstr;

Config round_trip(const Config& config) {
  return load_config_string(to_yaml(config), "resolved.yml");
}

TEST(ToYaml, EveryPresetRoundTrips) {
  for (const auto& name : list_presets()) {
    const Config config = load_config_file(find_config(name));
    EXPECT_EQ(round_trip(config), config) << name;
    EXPECT_EQ(to_yaml(round_trip(config)), to_yaml(config)) << name;
  }
}

TEST(ToYaml, WritesEveryKey) {
  const std::string text = to_yaml(Config{});
  for (const auto& f : fields()) {
    const auto leaf = f.path.substr(f.path.rfind('.') + 1);
    EXPECT_THAT(text, HasSubstr(leaf + ":")) << f.path;
  }
}

TEST(ToYaml, NonDefaultValuesRoundTrip) {
  Config c;
  c.seed = 18446744073709551615u;
  c.geometry.dx = 1.0 / 3.0;
  c.geometry.dy = 0.2;
  c.boundary_conditions.left_limits = {-0.5, 1e-300};
  c.model_params.task = Task::Forecast;
  c.model_params.mask_type = MaskType::Causal;
  c.model_params.frame_embedding = FrameEmbedding::Linear;
  c.model_params.positional_encoding = PositionalEncoding::Sinusoidal;
  c.model_params.learn_mask_bias = false;
  c.learning_rate_schedule = {{0, 1e-3}, {7, 2.5e-4}};
  c.run_label = "yes";  // a string that YAML would otherwise read as a boolean
  c.checkpoint_epoch = 12;
  c.eval.batch_size_override = 2;
  c.optimizer.decay = 0.98;
  c.optimizer.max_ratio = 3.0;
  c.optimizer.adam_beta2 = 0.97;
  c.optimizer.lr_schedule = LrSchedule::Cosine;
  c.optimizer.layer_buckets = LayerBuckets::Shape;
  c.optimizer.bias_correction = BiasCorrection::Exact;
  c.tracking.plot_stride = 3;
  c.storage.outdir = "runs: \"quoted\" # not a comment";
  c.data.source = DataSource::Npy;
  c.data.dir = "/tmp/data set";
  c.threads = 2;
  EXPECT_EQ(round_trip(c), c);
}

TEST(ToYaml, NullKeysCarryEffectiveValue) {
  const std::string text = to_yaml(Config{});
  EXPECT_THAT(text, HasSubstr("plot_stride: null  # null means 10 · tracking.window = 10"));
  EXPECT_THAT(text, HasSubstr("adam_beta2: null  # null means 0.95 for adam95 and 0.999 for adam999"));
}

TEST(ConfigHash, StableAndSensitive) {
  const Config a;
  Config b;
  EXPECT_EQ(config_hash(a), config_hash(b));
  EXPECT_EQ(config_hash(a).size(), 16u);
  b.model_params.epochs = 11;
  EXPECT_NE(config_hash(a), config_hash(b));
}

}  // namespace
}  // namespace kbeta::config
