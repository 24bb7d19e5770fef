#include "train/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "core/error.hpp"
#include "train/batch.hpp"
#include "train/stop_signal.hpp"

namespace kbeta::train {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int batch_count(std::size_t samples, int batch_size) {
  return static_cast<int>((samples + static_cast<std::size_t>(batch_size) - 1) /
                          static_cast<std::size_t>(batch_size));
}

// Σ g² in double. It is not finite exactly when some gradient element is not finite, because the
// square of the largest float (about 1.2e77) is far inside the range of double.
double sum_of_squares(std::span<const float> values) {
  double sum = 0;
  const auto n = static_cast<std::ptrdiff_t>(values.size());
#pragma omp parallel for reduction(+ : sum) schedule(static)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const double v = values[static_cast<std::size_t>(i)];
    sum += v * v;
  }
  return sum;
}

}  // namespace

std::filesystem::path epoch_checkpoint_path(const std::filesystem::path& run_dir, int epoch) {
  return run_dir / "checkpoints" / fmt::format("epoch_{}.safetensors", epoch);
}

Trainer::Trainer(Model& model, optim::Optimizer& optimizer, LearningRateSchedule schedule,
                 const DatasetViews& data, rng::Generator& generator, TrainerSettings settings)
    : model_(model),
      optimizer_(optimizer),
      schedule_(std::move(schedule)),
      data_(data),
      generator_(generator),
      settings_(std::move(settings)),
      spikes_(settings_.spike_window) {
  KBETA_CHECK(settings_.batch_size >= 1 && settings_.batch_size <= model_.max_batch());
  if (data_.train.count == 0 || data_.validation.count == 0) {
    throw Error(
        fmt::format("the training and validation splits need at least one sample each (got {} and {}); "
                    "increase training_samples",
                    data_.train.count, data_.validation.count));
  }
}

void Trainer::continue_from(const CheckpointMetadata& metadata) {
  position_ = metadata.position;
  generator_.set_state(position_.rng_state);
  spikes_.restore_pending(metadata.pending_spikes);
  continuing_ = true;
}

void Trainer::check_finite(const LossTerms& loss, int epoch, int batch) {
  const double grad_sq = sum_of_squares(model_.gradients());
  if (std::isfinite(loss.total) && std::isfinite(grad_sq)) {
    return;
  }
  const int batches = batch_count(data_.train.count, settings_.batch_size);
  const std::string problem = std::isfinite(loss.total) ? "the gradient is not finite"
                                                        : fmt::format("the training loss is {}", loss.total);
  throw Error(fmt::format(
      "training stopped at epoch {}, step {} (batch {}/{}): {}; lower the learning rate or check the data. "
      "Checkpoints written before this step are intact",
      epoch + 1, position_.step + 1, batch + 1, batches, problem));
}

std::filesystem::path Trainer::write_checkpoint(const std::filesystem::path& path,
                                                const TrainingPosition& position) {
  CheckpointMetadata m;
  m.position = position;
  m.seed = settings_.seed;
  m.threads = settings_.threads;
  m.config_yaml = settings_.config_yaml;
  m.config_hash = settings_.config_hash;
  m.pending_spikes = spikes_.pending();
  save_checkpoint(path, model_, &optimizer_, m);
  if (!settings_.quiet) {
    fmt::print("[checkpoint] written -> {}\n", path.string());
  }
  return path;
}

Trainer::EpochOutcome Trainer::train_epoch(int epoch, ProgressReporter& progress) {
  const SplitView& train = data_.train;
  const int bs = settings_.batch_size;
  const int batches = batch_count(train.count, bs);

  // One permutation per epoch (the reference's shuffled loader). Mid-epoch after a resume the
  // generator is at the state before this epoch's permutation, so the same order is drawn again.
  const rng::Key epoch_key = generator_.state();
  const std::vector<std::uint32_t> order = generator_.permutation(train.count);

  EpochOutcome out;
  const int first_batch = position_.batch_in_epoch;
  out.loss_sum = position_.epoch_loss_sum;
  BatchBuffer batch(data_.shape, bs);
  const std::span<float> grads = model_.gradients();
  progress.begin_epoch(epoch + 1, settings_.epochs, batches, first_batch);
  const auto start = Clock::now();

  for (int b = first_batch; b < batches; ++b) {
    const auto first = static_cast<std::size_t>(b) * static_cast<std::size_t>(bs);
    const auto count = std::min<std::size_t>(static_cast<std::size_t>(bs), train.count - first);
    batch.gather(train, std::span<const std::uint32_t>(order).subspan(first, count));

    std::fill(grads.begin(), grads.end(), 0.0f);
    const double lr = schedule_(epoch, position_.step);
    const LossTerms loss = model_.compute_gradients(batch.frames(), batch.alpha(), batch.dt(), batch.count());
    check_finite(loss, epoch, b);
    optimizer_.step(model_.parameters(), grads, lr);
    last_learning_rate_ = lr;

    ++position_.step;
    position_.batch_in_epoch = b + 1;
    out.loss_sum += loss.total;
    out.samples += count;
    position_.epoch_loss_sum = out.loss_sum;
    metrics_->add_step({position_.step, epoch + 1, loss, lr});
    if (settings_.collect_spikes) {
      spikes_.record(epoch + 1, position_.step, optimizer_.bucket_stats());
    }
    if (!settings_.quiet) {
      progress.update(b + 1, loss.total);
    }
    if (stop_requested() && b + 1 < batches) {
      out.interrupted = true;
      position_.rng_state = epoch_key;
      break;
    }
  }
  out.batches = batches;
  out.train_seconds = seconds_since(start);
  if (!settings_.quiet) {
    progress.end_epoch();
  }
  return out;
}

double Trainer::validate() {
  const SplitView& val = data_.validation;
  const int bs = settings_.batch_size;
  BatchBuffer batch(data_.shape, bs);
  double sum = 0;
  int batches = 0;
  for (std::size_t first = 0; first < val.count; first += static_cast<std::size_t>(bs)) {
    const int count =
        static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(bs), val.count - first));
    batch.gather_range(val, first, count);
    sum += model_.compute_loss(batch.frames(), batch.alpha(), batch.dt(), count).total;
    ++batches;
  }
  // The reference's validation loss: the plain mean of the per-batch losses.
  return sum / batches;
}

void Trainer::print_epoch(const EpochRow& row, int batches) {
  if (settings_.quiet) {
    return;
  }
  const int width = static_cast<int>(std::to_string(settings_.epochs).size());
  fmt::print(
      "Epoch {:>{}}/{}, lr: {:.3e}, Training Loss: {:.6e}, Validation Loss: {:.6e}, "
      "Number of Train batches: {}, {:.2f} s, {:.1f} samples/s\n",
      row.epoch, width, settings_.epochs, row.learning_rate, row.train_loss, row.val_loss, batches,
      row.seconds, row.samples_per_second);
  if (optimizer_.diagnostics_enabled()) {
    fmt::print("{}\n", optimizer_.describe_diagnostics());
  }
  (void)std::fflush(stdout);
}

TrainResult Trainer::run() {
  TrainResult result;
  const int epochs = settings_.epochs;
  const int batches = batch_count(data_.train.count, settings_.batch_size);
  metrics_.emplace(settings_.run_dir / "metrics", settings_.collect_spikes,
                   continuing_ ? std::optional<std::int64_t>(position_.step) : std::nullopt, position_.epoch);

  ProgressReporter progress(stdout, settings_.interactive, settings_.progress_seconds);
  const std::int64_t steps_left =
      static_cast<std::int64_t>(std::max(0, epochs - position_.epoch)) * batches - position_.batch_in_epoch;
  progress.begin_run(steps_left);
  const auto run_start = Clock::now();

  for (int epoch = position_.epoch; epoch < epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    const EpochOutcome outcome = train_epoch(epoch, progress);
    if (outcome.interrupted) {
      metrics_->flush();
      const auto path = settings_.run_dir / "checkpoints" /
                        fmt::format("epoch_{}_step_{}.safetensors", position_.epoch, position_.step);
      result.last_checkpoint = write_checkpoint(path, position_);
      result.status = TrainStatus::Interrupted;
      break;
    }

    const double val_loss = validate();
    if (!std::isfinite(val_loss)) {
      throw Error(
          fmt::format("training stopped after epoch {}: the validation loss is {}; lower the learning rate",
                      epoch + 1, val_loss));
    }
    EpochRow row;
    row.epoch = epoch + 1;
    row.train_loss = outcome.loss_sum / batches;
    row.val_loss = val_loss;
    row.learning_rate = last_learning_rate_;
    row.seconds = seconds_since(epoch_start);
    row.samples_per_second =
        outcome.train_seconds > 0 ? static_cast<double>(outcome.samples) / outcome.train_seconds : 0;
    metrics_->add_epoch(row);
    print_epoch(row, batches);

    position_.epoch = epoch + 1;
    position_.batch_in_epoch = 0;
    position_.epoch_loss_sum = 0;
    position_.rng_state = generator_.state();
    if (settings_.collect_spikes && spikes_.window_closes(epoch + 1)) {
      metrics_->add_spikes(epoch + 1, spikes_.take_pending());
    }
    metrics_->flush();

    if (result.epochs_run == 0) {
      result.first_train_loss = row.train_loss;
      result.first_val_loss = val_loss;
    }
    ++result.epochs_run;
    result.final_train_loss = row.train_loss;
    result.final_val_loss = val_loss;

    const bool periodic = settings_.save_checkpoints && settings_.save_interval > 0 &&
                          (epoch + 1) % settings_.save_interval == 0;
    const bool final = settings_.save_final && epoch + 1 == epochs;
    const bool stopping = stop_requested() && epoch + 1 < epochs;
    if (periodic || final || stopping) {
      result.last_checkpoint =
          write_checkpoint(epoch_checkpoint_path(settings_.run_dir, epoch + 1), position_);
    }
    if (stopping) {
      result.status = TrainStatus::Interrupted;
      break;
    }
  }

  if (result.status == TrainStatus::Completed && settings_.collect_spikes && !spikes_.pending().empty()) {
    // Samples of an incomplete last window are committed under the last epoch.
    metrics_->add_spikes(position_.epoch, spikes_.take_pending());
  }
  metrics_->flush();
  result.epochs_completed = position_.epoch;
  result.steps = position_.step;
  result.train_seconds = seconds_since(run_start);
  if (!settings_.quiet && result.epochs_run > 0) {
    fmt::print("Time per epoch {:.3f} (min)\n", result.train_seconds / 60.0 / result.epochs_run);
  }
  return result;
}

}  // namespace kbeta::train
