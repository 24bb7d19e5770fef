// kbeta-heat2d: parses the command line, resolves the configuration and runs one command.
// Exit status: 0 success, 2 invalid usage or configuration, 1 failure at run time.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <new>

#include <fmt/format.h>

#include "cli/arguments.hpp"
#include "cli/version.hpp"
#include "config/emit.hpp"
#include "core/error.hpp"
#include "train/job.hpp"

namespace {

// The command line as typed, without --resume and --init-from (and their values), so that the
// resume hint can append its own --resume.
std::string command_line_without_resume(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--resume" || arg == "--init-from") {
      ++i;
      continue;
    }
    if (arg.rfind("--resume=", 0) == 0 || arg.rfind("--init-from=", 0) == 0) {
      continue;
    }
    if (!line.empty()) {
      line += ' ';
    }
    line += arg.find_first_of(" \t'\"") == std::string::npos ? arg : "'" + arg + "'";
  }
  return line;
}

void print_notices(const kbeta::cli::Invocation& invocation) {
  for (const auto& notice : invocation.notices) {
    fmt::print("{}\n", notice);
  }
}

int run(const kbeta::cli::Invocation& invocation, const std::string& command_line) {
  using kbeta::cli::Command;
  switch (invocation.command) {
    case Command::Help:
      fmt::print("{}", invocation.help_text);
      return 0;
    case Command::Version:
      fmt::print("{}", kbeta::cli::version_text());
      return 0;
    case Command::ShowConfig: {
      // Notices go to stderr so that stdout stays valid YAML.
      const kbeta::config::Config config = kbeta::cli::resolve_config(invocation);
      for (const auto& notice : invocation.notices) {
        fmt::print(stderr, "{}\n", notice);
      }
      fmt::print("{}", kbeta::config::to_yaml(config));
      return 0;
    }
    case Command::Run: {
      const kbeta::config::Config config = kbeta::cli::resolve_config(invocation);
      print_notices(invocation);
      kbeta::train::JobOptions options;
      options.resume = invocation.resume;
      options.init_from = invocation.init_from;
      options.command_line = command_line;
      return kbeta::train::run_job(config, options);
    }
    case Command::Generate: {
      const kbeta::config::Config config = kbeta::cli::resolve_config(invocation);
      print_notices(invocation);
      kbeta::train::generate_data(config);
      return 0;
    }
    case Command::Bench: {
      const kbeta::config::Config config = kbeta::cli::resolve_config(invocation);
      kbeta::train::run_benchmark(config);
      return 0;
    }
    case Command::Evaluate:
      kbeta::train::evaluate_checkpoint(invocation.target, invocation.overrides);
      return 0;
    case Command::Plot:
      kbeta::train::plot_run(invocation.target);
      return 0;
  }
  throw kbeta::Error("unknown command");
}

// Output lost to a full disk must not look like success. A pipe whose reader stopped early
// (`| head`) wanted no more, so a failed write to a pipe is not an error.
void check_stdout() {
  const bool failed = std::fflush(stdout) != 0 || std::ferror(stdout) != 0;
  struct stat info {};
  const bool to_pipe =
      ::fstat(STDOUT_FILENO, &info) == 0 && (S_ISFIFO(info.st_mode) || S_ISSOCK(info.st_mode));
  if (failed && !to_pipe) {
    throw kbeta::Error(
        "failed to write to standard output; check that the disk or pipe it goes to accepts data");
  }
}

// Prints the error line after flushing standard output, so that a log written with
// `>log 2>&1` shows the error after the lines that preceded it.
void print_error(const char* message) {
  static_cast<void>(std::fflush(stdout));  // a failed flush must not hide the error itself
  fmt::print(stderr, "kbeta-heat2d: error: {}\n", message);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int status = run(kbeta::cli::parse_arguments(argc, argv), command_line_without_resume(argc, argv));
    check_stdout();
    return status;
  } catch (const kbeta::ConfigError& e) {
    print_error(e.what());
    return 2;
  } catch (const kbeta::Error& e) {
    print_error(e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    print_error("out of memory");
    return 1;
  } catch (const std::exception& e) {
    print_error(fmt::format("internal error: {}", e.what()).c_str());
    return 1;
  }
}
