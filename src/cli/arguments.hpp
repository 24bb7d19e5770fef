// The command line: argv → Invocation (what to run, on what, with which overrides), and the
// resolved configuration of an invocation. main() only dispatches on the result.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace kbeta::cli {

enum class Command {
  Run,         // kbeta-heat2d CONFIG [flags]: generate data, train, evaluate, plot
  ShowConfig,  // kbeta-heat2d config CONFIG [flags]: print the resolved configuration
  Generate,    // kbeta-heat2d generate CONFIG [flags]: write the data sets only
  Bench,       // kbeta-heat2d bench CONFIG [flags]: time training steps
  Evaluate,    // kbeta-heat2d evaluate CHECKPOINT [flags]
  Plot,        // kbeta-heat2d plot RUN_DIR
  Help,        // --help: print help_text
  Version,     // --version
};

struct Invocation {
  Command command = Command::Run;
  std::string target;  // CONFIG (file or preset name), CHECKPOINT or RUN_DIR
  // KEY=VALUE pairs in the reference's order: the user's --override pairs, then the pairs of
  // the shorthand flags (--epochs, --seed, ...), then optimizer.kour_diagnostics=true when
  // --collect_spikes is given without --kour_diagnostics. Later pairs win.
  std::vector<std::string> overrides;
  std::optional<std::filesystem::path> resume;     // --resume CHECKPOINT
  std::optional<std::filesystem::path> init_from;  // --init-from CHECKPOINT
  // Lines to print before running, such as the reference's note that --collect_spikes turns
  // on --kour_diagnostics.
  std::vector<std::string> notices;
  std::string help_text;  // for Command::Help
};

// Parses the arguments after the program name. Throws ConfigError for invalid usage.
Invocation parse_arguments(const std::vector<std::string>& args);
Invocation parse_arguments(int argc, const char* const* argv);

// The configuration of a Run, ShowConfig, Generate or Bench invocation: `target` resolved as
// a file or preset, with the overrides applied, validated. Throws ConfigError.
config::Config resolve_config(const Invocation& invocation);

// The name of a command as typed on the command line ("config", "evaluate", ...; "run" for
// the bare form).
std::string command_name(Command command);

}  // namespace kbeta::cli
