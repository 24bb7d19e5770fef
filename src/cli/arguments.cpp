#include "cli/arguments.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string_view>
#include <utility>

// GCC 12 at -O3 reports a false null dereference inside CLI11 2.1's string splitting.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <CLI/CLI.hpp>
#pragma GCC diagnostic pop
#include <fmt/format.h>

#include "config/load.hpp"
#include "config/presets.hpp"
#include "core/error.hpp"

namespace kbeta::cli {

namespace {

struct CommandInfo {
  Command command;
  std::string_view name;
  std::string_view target;  // the positional argument's name
  std::string_view target_help;
  std::string_view summary;
};

constexpr std::string_view kConfigHelp =
    "YAML file or packaged preset name (heat2d, paper, quick_test, demo)";

constexpr std::array<CommandInfo, 6> kCommands{{
    {Command::Run, "run", "CONFIG", kConfigHelp,
     "generate the data, train, evaluate and plot (the default command)"},
    {Command::ShowConfig, "config", "CONFIG", kConfigHelp,
     "print the fully resolved configuration as YAML and exit"},
    {Command::Generate, "generate", "CONFIG", kConfigHelp, "generate the data sets only"},
    {Command::Bench, "bench", "CONFIG", kConfigHelp, "time training steps of the configured model"},
    {Command::Evaluate, "evaluate", "CHECKPOINT", "Checkpoint file (.safetensors) to evaluate",
     "evaluate a saved checkpoint on the test split"},
    {Command::Plot, "plot", "RUN_DIR", "Run folder to draw the plots of",
     "draw the plots of a finished run from its metrics"},
}};

const CommandInfo& info(Command command) {
  for (const auto& entry : kCommands) {
    if (entry.command == command) {
      return entry;
    }
  }
  return kCommands[0];
}

// The flags of the reference's command line plus this program's own, bound to one parse.
struct Flags {
  std::vector<std::string> overrides;
  std::string seed;
  std::int64_t epochs = 0;
  std::string optimizer;
  bool kour_diagnostics = false;
  bool collect_spikes = false;
  std::int64_t spike_window = 0;
  std::int64_t spike_stride = 0;
  bool viz = false;
  std::int64_t threads = 0;
  std::string outdir;
  std::string resume;
  std::string init_from;

  CLI::Option* seed_option = nullptr;
  CLI::Option* epochs_option = nullptr;
  CLI::Option* optimizer_option = nullptr;
  CLI::Option* spike_window_option = nullptr;
  CLI::Option* spike_stride_option = nullptr;
  CLI::Option* threads_option = nullptr;
  CLI::Option* outdir_option = nullptr;
  CLI::Option* resume_option = nullptr;
  CLI::Option* init_from_option = nullptr;
};

// Checks an integer flag's text before CLI11 converts it: CLI11 2.1 clamps an out-of-range
// integer to the int64 maximum, so later messages would name a number the user never typed.
const CLI::Validator kInt64Text(
    [](std::string& text) -> std::string {
      std::int64_t value = 0;
      const char* end = text.data() + text.size();
      const auto [stop, error] = std::from_chars(text.data(), end, value);
      if (stop != end || text.empty()) {
        return fmt::format("expected an integer, got {}", text);
      }
      if (error == std::errc::result_out_of_range) {
        return fmt::format("expected an integer, got {}, which overflows a 64-bit integer", text);
      }
      return {};
    },
    "");

void add_config_flags(CLI::App& app, Flags& flags) {
  flags.epochs_option =
      app.add_option("--epochs", flags.epochs, "Training epochs (model_params.epochs)")->check(kInt64Text);
  flags.seed_option =
      app.add_option("--seed", flags.seed, "Random seed, 0 to 2^64 - 1 (seed)")->type_name("UINT");
  flags.optimizer_option = app.add_option("--optimizer", flags.optimizer, "Optimizer (optimizer.name)")
                               ->check(CLI::IsMember({"adam95", "adam999", "kourkoutas"}));
  app.add_flag("--kour_diagnostics", flags.kour_diagnostics,
               "Record Kourkoutas-β diagnostics (optimizer.kour_diagnostics=true)");
  app.add_flag("--collect_spikes", flags.collect_spikes,
               "Collect sun-spike and β₂ statistics for the violin and density plots "
               "(tracking.collect_spikes=true; implies --kour_diagnostics)");
  flags.spike_window_option = app.add_option("--spike_window", flags.spike_window,
                                             "Epochs per committed sun-spike/β₂ window (tracking.window)")
                                  ->check(kInt64Text);
  flags.spike_stride_option = app.add_option("--spike_stride", flags.spike_stride,
                                             "Plot every M-th committed window (tracking.plot_stride)")
                                  ->check(kInt64Text);
  app.add_flag("--viz", flags.viz, "Write truth/prediction frames (io_and_plots.plots.movie_frames=true)");
  app.add_option("--override", flags.overrides,
                 "KEY=VALUE pairs in dot notation, VALUE parsed as YAML; repeatable, later pairs win");
}

void add_threads_flag(CLI::App& app, Flags& flags) {
  flags.threads_option =
      app.add_option("--threads", flags.threads, "OpenMP threads, 0 for all cores (threads)")
          ->check(kInt64Text);
}

void add_outdir_flag(CLI::App& app, Flags& flags) {
  flags.outdir_option =
      app.add_option("--outdir", flags.outdir, "Folder that receives the run folder (storage.outdir)");
}

void add_checkpoint_flags(CLI::App& app, Flags& flags) {
  flags.resume_option =
      app.add_option("--resume", flags.resume,
                     "Continue training from this checkpoint (parameters, optimizer and RNG state)");
  flags.init_from_option =
      app.add_option("--init-from", flags.init_from, "Start training from the parameters of this checkpoint");
  flags.resume_option->excludes(flags.init_from_option);
}

// A YAML double-quoted string, so that a folder named "true" or "null" stays a string.
std::string yaml_quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "\"";
}

bool given(const CLI::Option* option) {
  return option != nullptr && option->count() > 0;
}

// Appends the shorthand pairs in the reference's order, then the collect_spikes implication.
void fold_shorthands(const Flags& flags, Invocation& invocation) {
  auto& pairs = invocation.overrides;
  pairs = flags.overrides;

  if (given(flags.seed_option)) {
    pairs.push_back("seed=" + flags.seed);
  }
  if (given(flags.epochs_option)) {
    pairs.push_back(fmt::format("model_params.epochs={}", flags.epochs));
  }
  if (given(flags.optimizer_option)) {
    pairs.push_back(fmt::format("optimizer.name={}", flags.optimizer));
  }
  if (flags.kour_diagnostics) {
    pairs.emplace_back("optimizer.kour_diagnostics=true");
  }
  if (flags.collect_spikes) {
    pairs.emplace_back("tracking.collect_spikes=true");
  }
  if (given(flags.spike_window_option)) {
    pairs.push_back(fmt::format("tracking.window={}", flags.spike_window));
  }
  if (given(flags.spike_stride_option)) {
    pairs.push_back(fmt::format("tracking.plot_stride={}", flags.spike_stride));
  }
  if (flags.viz) {
    pairs.emplace_back("io_and_plots.plots.movie_frames=true");
  }

  if (given(flags.threads_option)) {
    pairs.push_back(fmt::format("threads={}", flags.threads));
  }
  if (given(flags.outdir_option)) {
    pairs.push_back("storage.outdir=" + yaml_quoted(flags.outdir));
  }

  if (flags.collect_spikes && !flags.kour_diagnostics) {
    // The reference's wording, character for character (U+2011 in "auto‑enabled").
    invocation.notices.emplace_back("[info] --collect_spikes implies --kour_diagnostics → auto‑enabled");
    pairs.emplace_back("optimizer.kour_diagnostics=true");
  }
}

std::string top_level_help() {
  std::string text =
      "kbeta-heat2d: 2-D heat-diffusion Transformer trained with Adam or Kourkoutas-β\n\n"
      "Usage:\n"
      "  kbeta-heat2d CONFIG [--epochs N] [--seed N] [--optimizer adam95|adam999|kourkoutas]\n"
      "               [--kour_diagnostics] [--collect_spikes] [--spike_window N] [--spike_stride M]\n"
      "               [--viz] [--override KEY=VALUE ...] [--threads N] [--outdir DIR]\n"
      "               [--resume CHECKPOINT | --init-from CHECKPOINT]\n"
      "  kbeta-heat2d COMMAND ARGUMENT [flags]\n"
      "  kbeta-heat2d --version\n\n"
      "CONFIG is a YAML file or the name of a packaged preset (.yml optional).\n\n"
      "Commands:\n";
  for (const auto& entry : kCommands) {
    const std::string usage = entry.command == Command::Run ? std::string(entry.target)
                                                            : fmt::format("{} {}", entry.name, entry.target);
    text += fmt::format("  {:<22}{}\n", usage, entry.summary);
  }
  text += "\nRun kbeta-heat2d COMMAND --help for the flags of one command; docs/cli.md has the details.\n";
  return text;
}

// Builds the parser of one command, binding its flags to `flags`.
void configure_app(CLI::App& app, Command command, std::string& target, Flags& flags) {
  const CommandInfo& entry = info(command);
  app.description(std::string(entry.summary));
  app.add_option(std::string(entry.target), target, std::string(entry.target_help))->required();
  switch (command) {
    case Command::Run:
      add_config_flags(app, flags);
      add_threads_flag(app, flags);
      add_outdir_flag(app, flags);
      add_checkpoint_flags(app, flags);
      break;
    case Command::ShowConfig:
    case Command::Generate:
    case Command::Bench:
      add_config_flags(app, flags);
      add_threads_flag(app, flags);
      add_outdir_flag(app, flags);
      break;
    case Command::Evaluate:
      app.add_option("--override", flags.overrides,
                     "KEY=VALUE pairs applied to the checkpoint's configuration");
      app.add_flag("--viz", flags.viz,
                   "Write truth/prediction frames (io_and_plots.plots.movie_frames=true)");
      // Results go to <run folder>/evaluations/ beside the checkpoint, so --outdir has no meaning here.
      add_threads_flag(app, flags);
      break;
    case Command::Plot:
    case Command::Help:
    case Command::Version:
      break;
  }
}

}  // namespace

std::string command_name(Command command) {
  switch (command) {
    case Command::Help:
      return "--help";
    case Command::Version:
      return "--version";
    default:
      return std::string(info(command).name);
  }
}

Invocation parse_arguments(const std::vector<std::string>& args) {
  Invocation invocation;
  if (args.empty()) {
    throw ConfigError("missing CONFIG; run kbeta-heat2d --help for usage");
  }
  if (args[0] == "--help" || args[0] == "-h") {
    invocation.command = Command::Help;
    invocation.help_text = top_level_help();
    return invocation;
  }
  if (std::find(args.begin(), args.end(), "--version") != args.end()) {
    invocation.command = Command::Version;
    return invocation;
  }

  std::size_t first = 0;
  for (const auto& entry : kCommands) {
    if (entry.command != Command::Run && args[0] == entry.name) {
      invocation.command = entry.command;
      first = 1;
    }
  }

  const std::string program = invocation.command == Command::Run
                                  ? std::string("kbeta-heat2d")
                                  : fmt::format("kbeta-heat2d {}", info(invocation.command).name);
  CLI::App app(std::string(info(invocation.command).summary), program);
  Flags flags;
  configure_app(app, invocation.command, invocation.target, flags);

  // CLI11 takes the arguments in reverse order.
  std::vector<std::string> reversed(args.rbegin(), args.rend() - static_cast<std::ptrdiff_t>(first));
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    invocation.command = Command::Help;
    invocation.help_text = app.help();
    return invocation;
  } catch (const CLI::ParseError& e) {
    throw ConfigError(fmt::format("{}; run {} --help for usage", e.what(), program));
  }

  // The seed is checked here because CLI11 2.1 wraps "-1" around to 2^64 - 1 for unsigned options.
  if (given(flags.seed_option) &&
      (flags.seed.empty() || flags.seed.find_first_not_of("0123456789") != std::string::npos)) {
    throw ConfigError(
        fmt::format("--seed: expected an integer in [0, 18446744073709551615], got {}", flags.seed));
  }
  fold_shorthands(flags, invocation);
  if (given(flags.resume_option)) {
    invocation.resume = flags.resume;
  }
  if (given(flags.init_from_option)) {
    invocation.init_from = flags.init_from;
  }
  return invocation;
}

Invocation parse_arguments(int argc, const char* const* argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    args.emplace_back(argv[i]);
  }
  return parse_arguments(args);
}

config::Config resolve_config(const Invocation& invocation) {
  switch (invocation.command) {
    case Command::Run:
    case Command::ShowConfig:
    case Command::Generate:
    case Command::Bench:
      return config::load_config_file(config::find_config(invocation.target), invocation.overrides);
    default:
      throw ConfigError(
          fmt::format("the {} command takes no CONFIG to resolve", command_name(invocation.command)));
  }
}

}  // namespace kbeta::cli
