// Checkpoint files: rejection of corrupt, truncated and mismatched files, parameters-only files,
// and the real optimisers' state through a checkpoint.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "common/fixtures.hpp"
#include "core/error.hpp"
#include "io/atomic_file.hpp"
#include "optim/optimizer.hpp"
#include "train/checkpoint.hpp"
#include "train/toy.hpp"

namespace kbeta {
namespace {

using testing::ToyAdam;
using testing::ToyModel;

const train::SampleShape kShape{6, 3, 4};

train::CheckpointMetadata metadata() {
  train::CheckpointMetadata m;
  m.position.epoch = 3;
  m.position.step = 12;
  m.position.rng_state = {11, 22};
  m.seed = 5;
  m.threads = 2;
  m.config_yaml = "seed: 5\n";
  m.config_hash = train::text_hash(m.config_yaml);
  m.pending_spikes = {{3, 11, "layer.0", 0.25, 0.97}, {3, 12, "layer.1", 0.5, 0.94}};
  return m;
}

std::filesystem::path write_toy_checkpoint(const std::string& test) {
  auto path = testing::scratch_dir(test) / "checkpoint.safetensors";
  ToyModel model(kShape, 2, 1);
  ToyAdam optimizer(model.params().total_size());
  train::save_checkpoint(path, model, &optimizer, metadata());
  return path;
}

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Runs `read` and returns the message of the kbeta::Error it throws, or "" when it does not.
template <typename F>
std::string error_of(F read) {
  try {
    read();
  } catch (const kbeta::Error& e) {
    return e.what();
  }
  return "";
}

TEST(Checkpoint, MetadataRoundTrip) {
  const auto path = write_toy_checkpoint("checkpoint_metadata");
  const auto loaded = train::read_checkpoint(path);
  const auto expected = metadata();
  EXPECT_EQ(loaded.metadata.position.epoch, 3);
  EXPECT_EQ(loaded.metadata.position.step, 12);
  EXPECT_EQ(loaded.metadata.position.rng_state, (rng::Key{11, 22}));
  EXPECT_EQ(loaded.metadata.seed, 5u);
  EXPECT_EQ(loaded.metadata.threads, 2);
  EXPECT_EQ(loaded.metadata.config_yaml, expected.config_yaml);
  ASSERT_EQ(loaded.metadata.pending_spikes.size(), 2u);
  EXPECT_EQ(loaded.metadata.pending_spikes[1].bucket, "layer.1");
  EXPECT_EQ(loaded.metadata.pending_spikes[1].step, 12);
  EXPECT_EQ(loaded.metadata.pending_spikes[1].beta2, 0.94);
  EXPECT_TRUE(loaded.file.contains("linear.weight"));
  EXPECT_TRUE(loaded.file.contains("frozen.offset"));
  EXPECT_TRUE(loaded.file.contains("optimizer.m"));
}

TEST(Checkpoint, TruncatedFileRejected) {
  const auto path = write_toy_checkpoint("checkpoint_truncated");
  const std::string bytes = io::read_file(path);
  write_bytes(path, bytes.substr(0, bytes.size() - 100));
  const std::string message = error_of([&] { train::read_checkpoint(path); });
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;

  write_bytes(path, bytes.substr(0, 5));
  const std::string short_message = error_of([&] { train::read_checkpoint(path); });
  EXPECT_NE(short_message.find("too short"), std::string::npos) << short_message;
}

TEST(Checkpoint, CorruptHeaderRejected) {
  const auto path = write_toy_checkpoint("checkpoint_corrupt");
  std::string bytes = io::read_file(path);
  bytes[8] = 'X';  // the header's opening brace
  write_bytes(path, bytes);
  const std::string message = error_of([&] { train::read_checkpoint(path); });
  EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;

  bytes = io::read_file(path);
  const std::uint64_t huge = 1ULL << 40;
  std::memcpy(bytes.data(), &huge, sizeof huge);
  write_bytes(path, bytes);
  const std::string length_message = error_of([&] { train::read_checkpoint(path); });
  EXPECT_NE(length_message.find("header length"), std::string::npos) << length_message;
}

TEST(Checkpoint, MissingFileRejected) {
  const auto dir = testing::scratch_dir("checkpoint_missing");
  const std::string message = error_of([&] { train::read_checkpoint(dir / "epoch_9.safetensors"); });
  EXPECT_NE(message.find("not found"), std::string::npos) << message;
}

TEST(Checkpoint, ParametersOnlyFileRejectedAsCheckpoint) {
  const auto path = testing::scratch_dir("checkpoint_params_only") / "params.safetensors";
  ToyModel model(kShape, 2, 1);
  train::save_parameters(path, model);
  const std::string message = error_of([&] { train::read_checkpoint(path); });
  EXPECT_NE(message.find("--init-from"), std::string::npos) << message;
}

TEST(Checkpoint, ShapeMismatchRejected) {
  const auto path = write_toy_checkpoint("checkpoint_shape");
  const auto loaded = train::read_checkpoint(path);
  ToyModel other(train::SampleShape{6, 4, 4}, 2, 1);
  const auto before = std::vector<float>(other.parameters().begin(), other.parameters().end());
  const std::string message = error_of([&] { train::restore_model(loaded.file, other); });
  EXPECT_NE(message.find("'linear.weight' has shape (12, 12)"), std::string::npos) << message;
  EXPECT_NE(message.find("expects (16, 16)"), std::string::npos) << message;
  // Nothing was copied before the check failed.
  EXPECT_EQ(std::vector<float>(other.parameters().begin(), other.parameters().end()), before);
}

TEST(Checkpoint, OptimizerMismatchRejected) {
  const auto path = write_toy_checkpoint("checkpoint_optimizer");
  const auto loaded = train::read_checkpoint(path);
  ToyModel model(kShape, 2, 1);
  optim::OptimizerSettings settings;
  settings.kind = optim::OptimizerKind::Kourkoutas;
  auto kourkoutas = optim::make_optimizer(settings, model.params());
  const std::string message = error_of([&] { train::restore_optimizer(loaded.file, *kourkoutas); });
  EXPECT_NE(message.find("does not match the configured optimiser"), std::string::npos) << message;
}

TEST(Checkpoint, KourkoutasStateRoundTrip) {
  const auto path = testing::scratch_dir("checkpoint_kourkoutas") / "checkpoint.safetensors";
  optim::OptimizerSettings settings;
  settings.kind = optim::OptimizerKind::Kourkoutas;
  settings.warmup_steps = 2;
  settings.diagnostics = true;
  settings.layer_buckets = optim::BucketMode::Tensor;
  settings.max_ratio = 3.0;

  ToyModel a(kShape, 2, 1);
  auto opt_a = optim::make_optimizer(settings, a.params());
  std::vector<float> grads(a.params().total_size());
  rng::Generator gen(3);
  for (int s = 0; s < 4; ++s) {
    gen.uniform(-1.0f, 1.0f, grads);
    opt_a->step(a.parameters(), grads, 1e-2);
  }
  train::save_checkpoint(path, a, opt_a.get(), metadata());

  ToyModel b(kShape, 2, 2);
  auto opt_b = optim::make_optimizer(settings, b.params());
  const auto loaded = train::read_checkpoint(path);
  train::restore_model(loaded.file, b);
  train::restore_optimizer(loaded.file, *opt_b);
  EXPECT_EQ(opt_b->step_count(), 4);
  // After the restore both continue identically, bucket statistics included.
  for (int s = 0; s < 3; ++s) {
    gen.uniform(-1.0f, 1.0f, grads);
    opt_a->step(a.parameters(), grads, 1e-2);
    opt_b->step(b.parameters(), grads, 1e-2);
  }
  EXPECT_EQ(std::vector<float>(a.parameters().begin(), a.parameters().end()),
            std::vector<float>(b.parameters().begin(), b.parameters().end()));
  const auto stats_a = opt_a->bucket_stats();
  const auto stats_b = opt_b->bucket_stats();
  ASSERT_EQ(stats_a.beta2.size(), stats_b.beta2.size());
  for (std::size_t i = 0; i < stats_a.beta2.size(); ++i) {
    EXPECT_EQ(stats_a.beta2[i], stats_b.beta2[i]) << i;
  }
}

TEST(InitFrom, CopiesParametersAndChecksNames) {
  const auto dir = testing::scratch_dir("init_from");
  ToyModel source(kShape, 2, 1);
  train::save_parameters(dir / "params.safetensors", source);
  ToyModel target(kShape, 2, 2);
  train::initialize_from(dir / "params.safetensors", target);
  EXPECT_EQ(std::vector<float>(target.parameters().begin(), target.parameters().end()),
            std::vector<float>(source.parameters().begin(), source.parameters().end()));

  ToyModel wrong(train::SampleShape{6, 2, 2}, 2, 2);
  const std::string message = error_of([&] { train::initialize_from(dir / "params.safetensors", wrong); });
  EXPECT_NE(message.find("shape"), std::string::npos) << message;
  const std::string missing = error_of([&] { train::initialize_from(dir / "none.safetensors", wrong); });
  EXPECT_NE(missing.find("not found"), std::string::npos) << missing;
}

}  // namespace
}  // namespace kbeta
