// The training loop, checkpoints, resume and determinism on the toy model.
#include <gtest/gtest.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

#include "common/fixtures.hpp"
#include "io/atomic_file.hpp"
#include "train/checkpoint.hpp"
#include "train/stop_signal.hpp"
#include "train/toy.hpp"
#include "train/trainer.hpp"

namespace kbeta {
namespace {

using testing::ToyAdam;
using testing::ToyData;
using testing::ToyModel;

constexpr std::uint64_t kSeed = 7;
constexpr int kBatch = 5;  // 12 training samples: batches of 5, 5 and 2

train::TrainerSettings settings_for(const std::filesystem::path& dir, int epochs) {
  train::TrainerSettings s;
  s.epochs = epochs;
  s.batch_size = kBatch;
  s.save_checkpoints = true;
  s.save_interval = 2;
  s.save_final = true;
  s.collect_spikes = true;
  s.spike_window = 3;
  s.run_dir = dir;
  s.seed = kSeed;
  s.threads = 1;
  s.config_yaml = "seed: 7\n";
  s.config_hash = train::text_hash(s.config_yaml);
  s.quiet = true;
  return s;
}

train::LearningRateSchedule constant(double lr) {
  return [lr](int, std::int64_t) { return lr; };
}

// Everything one run needs, built the same way for every run so that runs can be compared.
struct ToyRun {
  ToyData data{kSeed};
  ToyModel model{data.shape, kBatch, kSeed + 1};
  ToyAdam optimizer{model.params().total_size(), true};
  rng::Generator generator{kSeed};
};

std::vector<float> params_of(ToyModel& model) {
  return {model.parameters().begin(), model.parameters().end()};
}

std::string file_text(const std::filesystem::path& path) {
  return io::read_file(path);
}

TEST(Trainer, LossFalls) {
  const auto dir = testing::scratch_dir("trainer_loss_falls");
  ToyRun run;
  train::Trainer trainer(run.model, run.optimizer, constant(0.01), run.data.views, run.generator,
                         settings_for(dir, 31));
  const auto result = trainer.run();
  EXPECT_EQ(result.status, train::TrainStatus::Completed);
  EXPECT_EQ(result.epochs_completed, 31);
  EXPECT_EQ(result.steps, 31 * 3);
  EXPECT_LT(result.final_train_loss, result.first_train_loss / 10);
  EXPECT_LT(result.final_val_loss, result.first_val_loss / 2);

  const std::string epochs = file_text(dir / "metrics" / "epochs.csv");
  EXPECT_EQ(epochs.substr(0, epochs.find('\n')), "epoch,train_loss,val_loss,lr,seconds,samples_per_second");
  EXPECT_EQ(std::count(epochs.begin(), epochs.end(), '\n'), 32);
  const std::string steps = file_text(dir / "metrics" / "steps.csv");
  EXPECT_EQ(steps.substr(0, steps.find('\n')), "step,epoch,loss,mse,boundary,physics,initial,lr");
  EXPECT_EQ(std::count(steps.begin(), steps.end(), '\n'), 94);
  // Windows of 3 epochs close at epochs 3, 6, ..., 30; epoch 31's samples are committed under 31.
  const std::string spikes = file_text(dir / "metrics" / "spikes.csv");
  EXPECT_EQ(std::count(spikes.begin(), spikes.end(), '\n'), 94);
  EXPECT_NE(spikes.find("\n3,1,1,global,"), std::string::npos);
  EXPECT_NE(spikes.find("\n30,30,90,global,"), std::string::npos);
  EXPECT_NE(spikes.find("\n31,31,93,global,"), std::string::npos);
  // Periodic checkpoints every 2 epochs and the final one.
  for (int e : {2, 4, 30, 31}) {
    EXPECT_TRUE(std::filesystem::exists(train::epoch_checkpoint_path(dir, e))) << e;
  }
  EXPECT_FALSE(std::filesystem::exists(train::epoch_checkpoint_path(dir, 3)));
}

TEST(Checkpoint, RoundTrip) {
  const auto dir = testing::scratch_dir("checkpoint_round_trip");
  ToyRun run;
  train::Trainer trainer(run.model, run.optimizer, constant(0.01), run.data.views, run.generator,
                         settings_for(dir, 2));
  trainer.run();
  const auto saved_params = params_of(run.model);
  const auto path = train::epoch_checkpoint_path(dir, 2);

  ToyRun other;
  const auto loaded = train::read_checkpoint(path);
  train::restore_model(loaded.file, other.model);
  train::restore_optimizer(loaded.file, other.optimizer);
  EXPECT_EQ(params_of(other.model), saved_params);
  EXPECT_EQ(other.model.refreshes, 1);
  EXPECT_EQ(loaded.metadata.position.epoch, 2);
  EXPECT_EQ(loaded.metadata.position.step, 6);
  EXPECT_EQ(loaded.metadata.position.batch_in_epoch, 0);
  EXPECT_EQ(loaded.metadata.position.rng_state, run.generator.state());
  EXPECT_EQ(loaded.metadata.seed, kSeed);
  EXPECT_EQ(loaded.metadata.config_yaml, "seed: 7\n");
  // Window of 3 epochs still open after 2: six steps of samples wait in the checkpoint.
  EXPECT_EQ(loaded.metadata.pending_spikes.size(), 6u);

  // Optimiser state of every dtype survives: the next step from either copy is identical.
  std::vector<float> g(run.model.params().total_size(), 0.01f);
  run.optimizer.step(run.model.parameters(), g, 0.01);
  other.optimizer.step(other.model.parameters(), g, 0.01);
  EXPECT_EQ(params_of(other.model), params_of(run.model));
}

// Trains `epochs` epochs without interruption and returns the final parameters.
std::vector<float> uninterrupted(const std::filesystem::path& dir, int epochs) {
  ToyRun run;
  train::Trainer trainer(run.model, run.optimizer, constant(0.01), run.data.views, run.generator,
                         settings_for(dir, epochs));
  trainer.run();
  return params_of(run.model);
}

TEST(Resume, FromEpochCheckpointIsBitIdentical) {
  const auto full_dir = testing::scratch_dir("resume_full");
  const auto full = uninterrupted(full_dir, 6);

  const auto dir = testing::scratch_dir("resume_epoch");
  {
    ToyRun first;
    train::Trainer trainer(first.model, first.optimizer, constant(0.01), first.data.views, first.generator,
                           settings_for(dir, 6));
    trainer.run();
  }
  ToyRun resumed;
  const auto loaded = train::read_checkpoint(train::epoch_checkpoint_path(dir, 2));
  train::restore_model(loaded.file, resumed.model);
  train::restore_optimizer(loaded.file, resumed.optimizer);
  train::Trainer trainer(resumed.model, resumed.optimizer, constant(0.01), resumed.data.views,
                         resumed.generator, settings_for(dir, 6));
  trainer.continue_from(loaded.metadata);
  const auto result = trainer.run();
  EXPECT_EQ(result.epochs_run, 4);
  EXPECT_EQ(params_of(resumed.model), full);
  EXPECT_EQ(file_text(dir / "metrics" / "steps.csv"), file_text(full_dir / "metrics" / "steps.csv"));
  EXPECT_EQ(file_text(dir / "metrics" / "spikes.csv"), file_text(full_dir / "metrics" / "spikes.csv"));
  EXPECT_EQ(file_text(train::epoch_checkpoint_path(dir, 6)),
            file_text(train::epoch_checkpoint_path(full_dir, 6)));
}

TEST(Resume, AfterInterruptMidEpochIsBitIdentical) {
  const auto full_dir = testing::scratch_dir("resume_mid_full");
  const auto full = uninterrupted(full_dir, 4);

  const auto dir = testing::scratch_dir("resume_mid");
  std::filesystem::path checkpoint;
  {
    ToyRun first;
    // SIGINT arrives during the 5th step (epoch 2, batch 2 of 3): that step completes, then the
    // trainer writes a checkpoint and stops.
    first.model.before_step = [](int seen) {
      if (seen == 4) {
        std::raise(SIGINT);
      }
    };
    train::install_stop_handlers();
    train::Trainer trainer(first.model, first.optimizer, constant(0.01), first.data.views, first.generator,
                           settings_for(dir, 4));
    const auto result = trainer.run();
    train::remove_stop_handlers();
    ASSERT_EQ(result.status, train::TrainStatus::Interrupted);
    EXPECT_EQ(result.steps, 5);
    ASSERT_TRUE(result.last_checkpoint.has_value());
    checkpoint = *result.last_checkpoint;
  }
  ToyRun resumed;
  const auto loaded = train::read_checkpoint(checkpoint);
  EXPECT_EQ(loaded.metadata.position.epoch, 1);
  EXPECT_EQ(loaded.metadata.position.batch_in_epoch, 2);
  train::restore_model(loaded.file, resumed.model);
  train::restore_optimizer(loaded.file, resumed.optimizer);
  train::install_stop_handlers();  // clears the earlier request
  train::remove_stop_handlers();
  train::Trainer trainer(resumed.model, resumed.optimizer, constant(0.01), resumed.data.views,
                         resumed.generator, settings_for(dir, 4));
  trainer.continue_from(loaded.metadata);
  trainer.run();
  EXPECT_EQ(params_of(resumed.model), full);
  EXPECT_EQ(file_text(dir / "metrics" / "steps.csv"), file_text(full_dir / "metrics" / "steps.csv"));
  const std::string epochs = file_text(dir / "metrics" / "epochs.csv");
  const std::string full_epochs = file_text(full_dir / "metrics" / "epochs.csv");
  // Compare the loss columns only: seconds and throughput differ between runs.
  auto losses = [](const std::string& csv) {
    std::string out;
    std::istringstream in(csv);
    std::string line;
    while (std::getline(in, line)) {
      out += line.substr(0, line.find(',', line.find(',', line.find(',') + 1) + 1)) + "\n";
    }
    return out;
  };
  EXPECT_EQ(losses(epochs), losses(full_epochs));
}

TEST(Determinism, SameSeedGivesIdenticalFiles) {
  const auto a = testing::scratch_dir("determinism_a");
  const auto b = testing::scratch_dir("determinism_b");
  EXPECT_EQ(uninterrupted(a, 4), uninterrupted(b, 4));
  EXPECT_EQ(file_text(a / "metrics" / "steps.csv"), file_text(b / "metrics" / "steps.csv"));
  EXPECT_EQ(file_text(train::epoch_checkpoint_path(a, 4)), file_text(train::epoch_checkpoint_path(b, 4)));
}

TEST(Trainer, NonFiniteLossStopsWithMessage) {
  const auto dir = testing::scratch_dir("trainer_nan");
  ToyRun run;
  auto s = settings_for(dir, 6);
  // The absurd rate takes effect in epoch 3, after the checkpoint of epoch 2 was written.
  auto schedule = [](int epoch, std::int64_t) { return epoch < 2 ? 0.01 : 1e300; };
  train::Trainer trainer(run.model, run.optimizer, schedule, run.data.views, run.generator, s);
  const auto checkpoint = train::epoch_checkpoint_path(dir, 2);
  try {
    trainer.run();
    FAIL() << "expected the run to stop";
  } catch (const kbeta::Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("training stopped at epoch 3, step 8"), std::string::npos) << message;
    EXPECT_NE(message.find("lower the learning rate"), std::string::npos) << message;
  }
  // The last good checkpoint is still readable and holds epoch 2.
  const auto loaded = train::read_checkpoint(checkpoint);
  EXPECT_EQ(loaded.metadata.position.epoch, 2);
}

}  // namespace
}  // namespace kbeta
