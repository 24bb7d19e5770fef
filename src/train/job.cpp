#include "train/job.hpp"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include <cblas.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "config/emit.hpp"
#include "config/load.hpp"
#include "core/error.hpp"
#include "data/datasets.hpp"
#include "io/atomic_file.hpp"
#include "optim/optimizer.hpp"
#include "plot/plot.hpp"
#include "train/checkpoint.hpp"
#include "train/evaluation.hpp"
#include "train/job_settings.hpp"
#include "train/model_adapter.hpp"
#include "train/progress.hpp"
#include "train/stop_signal.hpp"
#include "train/trainer.hpp"

namespace kbeta::train {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string shape_text(const data::Split& s) {
  return fmt::format("({}, {}, {}, {})", s.n, s.t, s.ny, s.nx);
}

std::string hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) {
    return "unknown";
  }
  return name;
}

bool datasets_present(const std::filesystem::path& dir) {
  for (const char* name : data::dataset_file_names()) {
    if (!std::filesystem::exists(dir / name)) {
      return false;
    }
  }
  return true;
}

SplitView view_of(const data::Split& s) {
  return {s.data, s.alphas, s.dts, static_cast<std::size_t>(s.n)};
}

DatasetViews views_of(const data::Datasets& d) {
  DatasetViews v;
  v.shape = {d.train.t, d.train.ny, d.train.nx};
  v.train = view_of(d.train);
  v.validation = view_of(d.val);
  v.test = view_of(d.test);
  return v;
}

// The datasets of a run: the user's .npy files (data.source: npy), the run folder's own files
// when continuing a run, or freshly generated ones (drawing from `generator` first, as the
// reference does) written to the run folder.
data::Datasets obtain_datasets(const config::Config& c, const std::filesystem::path& run_dir,
                               rng::Generator& generator, bool continuing, bool quiet) {
  const data::GeneratorSettings settings = generator_settings(c);
  data::Datasets sets;
  const auto start = Clock::now();
  if (c.data.source == config::DataSource::Npy) {
    KBETA_CHECK(c.data.dir.has_value());
    sets = data::load_datasets(*c.data.dir, settings.geometry);
    if (!quiet) {
      fmt::print("Loaded datasets from {} in {:.1f} s\n", *c.data.dir, seconds_since(start));
    }
  } else if (continuing && datasets_present(run_dir / "datasets")) {
    sets = data::load_datasets(run_dir / "datasets", settings.geometry);
    if (!quiet) {
      fmt::print("Loaded datasets from {} in {:.1f} s\n", (run_dir / "datasets").string(),
                 seconds_since(start));
    }
  } else {
    sets = data::generate_datasets(settings, generator);
    data::save_datasets(sets, run_dir / "datasets");
    if (!quiet) {
      fmt::print("Generated datasets in {:.1f} s -> {}\n", seconds_since(start),
                 (run_dir / "datasets").string());
    }
  }
  if (sets.train.t != c.model_params.time_steps) {
    throw ConfigError(
        fmt::format("the datasets have {} frames per sample but model_params.time_steps is {}; set "
                    "model_params.time_steps to {}",
                    sets.train.t, c.model_params.time_steps, sets.train.t));
  }
  return sets;
}

int max_batch_of(const config::Config& c) {
  const auto eval_batch = c.eval.effective_batch_size(c.model_params.batch_size);
  return static_cast<int>(std::max(c.model_params.batch_size, eval_batch));
}

// Creates the run folder, or raises kbeta::Error naming it when storage.outdir cannot hold it
// (a regular file in the way, no permission).
void create_run_directory(const std::filesystem::path& run_dir) {
  std::error_code ec;
  std::filesystem::create_directories(run_dir, ec);
  if (ec) {
    throw Error(
        fmt::format("cannot create the run folder {}: {}; set --outdir (storage.outdir) to a writable folder",
                    run_dir.string(), ec.message()));
  }
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  io::AtomicFile file(path);
  file.write(text);
  file.commit();
}

void print_header(const config::Config& c, const data::Datasets& d, const TransformerModel& model,
                  const optim::Optimizer& optimizer, int threads, const std::filesystem::path& run_dir) {
  fmt::print("Seed: {}\n", c.seed);
  fmt::print("Configuration: {} : {}\n", config::to_string(c.boundary_segment_strategy),
             config::to_string(c.model_params.mask_type));
  fmt::print("Hostname: {}\n", hostname());
  fmt::print("Threads: {}\n", threads);
  fmt::print("Run folder: {}\n", run_dir.string());
  fmt::print("training data shape   : {}\n", shape_text(d.train));
  fmt::print("validation data shape : {}\n", shape_text(d.val));
  fmt::print("test data shape       : {}\n", shape_text(d.test));
  fmt::print(
      "Model: task {}, mask {}, frame embedding {}, positions {}, {} layers, embed_dim {}, {} heads, mlp_dim "
      "{}\n",
      config::to_string(c.model_params.task), config::to_string(c.model_params.mask_type),
      config::to_string(c.model_params.frame_embedding),
      config::to_string(c.model_params.positional_encoding), c.model_params.num_encoder_layers,
      c.model_params.embed_dim, c.model_params.num_heads, c.model_params.mlp_dim);
  fmt::print("Trainable parameters: {} in {} tensors; {:.3f} GFLOP per training step\n",
             model.params().total_size(), model.params().count(),
             model.flops_per_step(static_cast<int>(c.model_params.batch_size)) / 1e9);
  fmt::print("{}\n", optimizer.describe());
  if (c.configuration_dump) {
    fmt::print("Resolved configuration:\n{}", config::to_yaml(c));
  }
}

// The checkpoint to continue from: --resume, or the reference's start_from_scratch: false with
// checkpoint_epoch.
std::optional<std::filesystem::path> resume_path(const config::Config& c, const JobOptions& options,
                                                 const std::filesystem::path& run_dir) {
  if (options.resume) {
    return options.resume;
  }
  if (!c.start_from_scratch) {
    if (!c.checkpoint_epoch) {
      throw ConfigError(
          "start_from_scratch is false but checkpoint_epoch is not set; set checkpoint_epoch to the "
          "epoch of the checkpoint to continue from");
    }
    return epoch_checkpoint_path(run_dir, static_cast<int>(*c.checkpoint_epoch));
  }
  return std::nullopt;
}

void warn_on_mismatch(const CheckpointMetadata& m, const config::Config& c, int threads) {
  if (m.seed != c.seed) {
    fmt::print("warning: the checkpoint was written by a run with seed {}, this configuration has seed {}\n",
               m.seed, c.seed);
  }
  if (m.threads != threads) {
    fmt::print(
        "warning: the checkpoint was written with {} threads and this run uses {}; the continued run will "
        "not be bit-identical to an uninterrupted one\n",
        m.threads, threads);
  }
}

nlohmann::json summary_json(const config::Config& c, const TrainResult* result, const EvaluationResult& eval,
                            const TransformerModel& model, int threads) {
  nlohmann::json j;
  j["seed"] = c.seed;
  j["threads"] = threads;
  j["config_hash"] = config::config_hash(c);
  j["mask_type"] = config::to_string(c.model_params.mask_type);
  j["task"] = config::to_string(c.model_params.task);
  j["optimizer"] = config::to_string(c.optimizer.name);
  j["parameter_count"] = model.params().total_size();
  j["parameter_tensors"] = model.params().count();
  j["gflop_per_step"] = model.flops_per_step(static_cast<int>(c.model_params.batch_size)) / 1e9;
  if (result != nullptr) {
    j["epochs_completed"] = result->epochs_completed;
    j["steps"] = result->steps;
    j["final_train_loss"] = result->final_train_loss;
    j["final_val_loss"] = result->final_val_loss;
    j["first_val_loss"] = result->first_val_loss;
    j["train_seconds"] = result->train_seconds;
    j["seconds_per_epoch"] = result->epochs_run > 0 ? result->train_seconds / result->epochs_run : 0.0;
  }
  j.update(evaluation_json(eval));
  return j;
}

void print_evaluation(const EvaluationResult& r) {
  fmt::print("Test loss: {:.6e} (mse {:.6e}, boundary {:.6e}, physics {:.6e}, initial {:.6e})\n",
             r.test_loss.total, r.test_loss.mse, r.test_loss.boundary, r.test_loss.physics,
             r.test_loss.initial);
  fmt::print("Inference: {:.4f} s per batch\n", r.inference_seconds_per_batch);
  const auto j = evaluation_json(r);
  fmt::print("Average MSE over block sequence: mean {:.6e}, at the last time step {:.6e}\n",
             j["mse_block_mean"].get<double>(), j["mse_block_last"].get<double>());
  fmt::print("Average MSE of the autoregressive rollout: mean {:.6e}, at the last time step {:.6e}\n",
             j["mse_autoregressive_mean"].get<double>(), j["mse_autoregressive_last"].get<double>());
}

}  // namespace

void render_plots(const config::Config& c, const std::filesystem::path& run_dir) {
  plot::PlotOptions options;
  options.stride = static_cast<int>(c.tracking.effective_plot_stride());
  options.movie_frames = c.io_and_plots.plots.movie_frames;
  const auto start = Clock::now();
  const plot::PlotReport report = plot::render_run(run_dir, options);
  fmt::print("[plots] {} pictures written to {} in {:.1f} s ({} skipped)\n", report.written.size(),
             (run_dir / "plots").string(), seconds_since(start), report.skipped.size());
}

void plot_run(const std::filesystem::path& run_dir) {
  if (!std::filesystem::is_directory(run_dir)) {
    throw Error(fmt::format("run folder {} not found", run_dir.string()));
  }
  const auto resolved = run_dir / "config.resolved.yml";
  config::Config c;
  if (std::filesystem::exists(resolved)) {
    c = config::load_config_file(resolved);
  } else {
    c.tracking.plot_stride = 1;
    c.io_and_plots.plots.movie_frames = true;
  }
  render_plots(c, run_dir);
}

int apply_thread_count(std::int64_t threads) {
  const int n = threads > 0 ? static_cast<int>(threads) : omp_get_num_procs();
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
  return n;
}

int run_job(const config::Config& c, const JobOptions& options) {
  const int threads = apply_thread_count(c.threads);
  const std::filesystem::path run_dir = run_directory(c);

  // Read the checkpoint before anything is written, so that a bad --resume leaves no run folder.
  const std::optional<std::filesystem::path> resume = resume_path(c, options, run_dir);
  std::optional<LoadedCheckpoint> checkpoint;
  if (resume) {
    checkpoint = read_checkpoint(*resume);
  }
  create_run_directory(run_dir);
  write_text(run_dir / "config.resolved.yml", config::to_yaml(c));

  // Draw order of a fresh run: the datasets, then the model, then one shuffle per epoch.
  rng::Generator generator(c.seed);
  const data::Datasets sets = obtain_datasets(c, run_dir, generator, resume.has_value(), false);
  const DatasetViews views = views_of(sets);

  auto model = TransformerModel::create(c, views.shape.ny, views.shape.nx, max_batch_of(c));
  model->initialize(generator);
  if (options.init_from) {
    initialize_from(*options.init_from, *model);
    fmt::print("Initialised the parameters from {}\n", options.init_from->string());
  }
  auto optimizer = optim::make_optimizer(optimizer_settings(c), model->params());
  print_header(c, sets, *model, *optimizer, threads, run_dir);

  TrainerSettings settings = trainer_settings(c, threads);
  settings.interactive = is_terminal(stdout);
  Trainer trainer(*model, *optimizer, learning_rate_schedule(c), views, generator, settings);
  if (checkpoint) {
    warn_on_mismatch(checkpoint->metadata, c, threads);
    restore_model(checkpoint->file, *model);
    restore_optimizer(checkpoint->file, *optimizer);
    trainer.continue_from(checkpoint->metadata);
    fmt::print("Continuing from {} (epoch {}, step {})\n", resume->string(),
               checkpoint->metadata.position.epoch, checkpoint->metadata.position.step);
    checkpoint.reset();
  }

  fmt::print("*** starting training ***\n");
  fmt::print("start_epoch: {} epochs: {} learning_rate: {:.3e}\n", trainer.start_epoch(), settings.epochs,
             learning_rate_schedule(c)(trainer.start_epoch(), 0));
  (void)std::fflush(stdout);
  install_stop_handlers();
  const TrainResult result = trainer.run();
  remove_stop_handlers();

  if (result.status == TrainStatus::Interrupted) {
    const std::string path = result.last_checkpoint ? result.last_checkpoint->string() : "(none)";
    fmt::print("Interrupted by signal {} after step {}; checkpoint written to {}\n", stop_signal(),
               result.steps, path);
    fmt::print("Resume with: {} --resume {}\n", options.command_line, path);
    return 0;
  }

  const EvaluationSettings eval_settings = evaluation_settings(c);
  const EvaluationResult eval = evaluate(*model, views.test, views.shape, eval_settings);
  print_evaluation(eval);
  const auto metrics_dir = run_dir / "metrics";
  write_evaluation(metrics_dir, eval);
  if (c.io_and_plots.plots.movie_frames) {
    write_examples(*model, views.test, views.shape, eval_settings, generator,
                   static_cast<int>(c.io_and_plots.plots.num_examples), metrics_dir);
  }
  write_text(metrics_dir / "summary.json", summary_json(c, &result, eval, *model, threads).dump(2) + "\n");
  render_plots(c, run_dir);
  fmt::print("[done] Artifacts in {}\n", run_dir.string());
  return 0;
}

void generate_data(const config::Config& c) {
  const int threads = apply_thread_count(c.threads);
  const std::filesystem::path run_dir = run_directory(c);
  create_run_directory(run_dir);
  write_text(run_dir / "config.resolved.yml", config::to_yaml(c));
  fmt::print("Threads: {}\n", threads);
  rng::Generator generator(c.seed);
  const auto start = Clock::now();
  const data::Datasets sets = data::generate_datasets(generator_settings(c), generator);
  data::save_datasets(sets, run_dir / "datasets");
  fmt::print("training data shape   : {}\n", shape_text(sets.train));
  fmt::print("validation data shape : {}\n", shape_text(sets.val));
  fmt::print("test data shape       : {}\n", shape_text(sets.test));
  fmt::print("Generated and wrote the datasets in {:.1f} s -> {}\n", seconds_since(start),
             (run_dir / "datasets").string());
}

void evaluate_checkpoint(const std::filesystem::path& checkpoint_path,
                         const std::vector<std::string>& overrides) {
  const std::filesystem::path& path = checkpoint_path;
  LoadedCheckpoint checkpoint = read_checkpoint(path);
  const config::Config c =
      config::load_config_string(checkpoint.metadata.config_yaml,
                                 fmt::format("the configuration stored in {}", path.string()), overrides);
  const int threads = apply_thread_count(c.threads);
  // <run folder>/checkpoints/<file>: the datasets of that run sit beside the checkpoints.
  const std::filesystem::path run_dir = std::filesystem::absolute(path).parent_path().parent_path();
  rng::Generator generator(c.seed);
  data::Datasets sets;
  if (c.data.source == config::DataSource::Npy || !datasets_present(run_dir / "datasets")) {
    sets = obtain_datasets(c, run_dir, generator, false, false);
  } else {
    sets = data::load_datasets(run_dir / "datasets", generator_settings(c).geometry);
  }
  const DatasetViews views = views_of(sets);

  auto model = TransformerModel::create(c, views.shape.ny, views.shape.nx, max_batch_of(c));
  restore_model(checkpoint.file, *model);
  fmt::print("Threads: {}\n", threads);
  fmt::print("Evaluating {} (epoch {}, step {})\n", path.string(), checkpoint.metadata.position.epoch,
             checkpoint.metadata.position.step);

  const EvaluationResult eval = evaluate(*model, views.test, views.shape, evaluation_settings(c));
  print_evaluation(eval);
  const auto out_dir = run_dir / "evaluations" / path.stem();
  write_evaluation(out_dir, eval);
  nlohmann::json summary = summary_json(c, nullptr, eval, *model, threads);
  summary["checkpoint"] = path.string();
  summary["epochs_completed"] = checkpoint.metadata.position.epoch;
  summary["steps"] = checkpoint.metadata.position.step;
  write_text(out_dir / "summary.json", summary.dump(2) + "\n");
  fmt::print("[done] Results in {}\n", out_dir.string());
}

}  // namespace kbeta::train
