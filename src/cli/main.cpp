// kbeta-heat2d: parses the command line, resolves the configuration and runs one command.
// Exit status: 0 success, 2 invalid usage or configuration, 1 failure at run time.
#include <cstdio>
#include <exception>
#include <new>

#include <fmt/format.h>

#include "cli/arguments.hpp"
#include "cli/version.hpp"
#include "config/emit.hpp"
#include "core/error.hpp"

namespace {

int run(const kbeta::cli::Invocation& invocation) {
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
    default:
      break;
  }
  // TODO: run, generate, bench, evaluate and plot are not implemented yet; they fail here.
  throw kbeta::Error(
      fmt::format("the {} command is not available yet", kbeta::cli::command_name(invocation.command)));
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(kbeta::cli::parse_arguments(argc, argv));
  } catch (const kbeta::ConfigError& e) {
    fmt::print(stderr, "kbeta-heat2d: error: {}\n", e.what());
    return 2;
  } catch (const kbeta::Error& e) {
    fmt::print(stderr, "kbeta-heat2d: error: {}\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "kbeta-heat2d: error: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "kbeta-heat2d: error: internal error: {}\n", e.what());
    return 1;
  }
}
