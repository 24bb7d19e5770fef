#include "plot/gnuplot.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace kbeta::plot {

namespace {

bool is_executable_file(const std::filesystem::path& path) {
  struct stat status {};
  return ::stat(path.c_str(), &status) == 0 && S_ISREG(status.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// The last non-empty line of a file, shortened to 200 characters; empty when none.
std::string last_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::string last;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r^") != std::string::npos) {
      last = line;
    }
  }
  if (last.size() > 200) {
    last = last.substr(0, 200) + "...";
  }
  return last;
}

// Owns the posix_spawn file actions so every exit path releases them.
class SpawnActions {
 public:
  SpawnActions() { ::posix_spawn_file_actions_init(&actions_); }
  ~SpawnActions() { ::posix_spawn_file_actions_destroy(&actions_); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_{};
};

}  // namespace

std::optional<std::filesystem::path> find_program(const std::string& program) {
  if (program.empty()) {
    return std::nullopt;
  }
  if (program.find('/') != std::string::npos) {
    return is_executable_file(program) ? std::optional<std::filesystem::path>(program) : std::nullopt;
  }
  const char* path_variable = std::getenv("PATH");
  std::string_view rest = path_variable != nullptr ? path_variable : "";
  while (true) {
    const std::size_t colon = rest.find(':');
    std::string_view folder = rest.substr(0, colon);
    if (folder.empty()) {
      folder = ".";  // an empty PATH entry means the current folder, as in execvp
    }
    const std::filesystem::path candidate = std::filesystem::path(folder) / program;
    if (is_executable_file(candidate)) {
      return candidate;
    }
    if (colon == std::string_view::npos) {
      return std::nullopt;
    }
    rest.remove_prefix(colon + 1);
  }
}

GnuplotRun run_gnuplot(const std::filesystem::path& gnuplot, const std::filesystem::path& folder,
                       const std::string& script, const std::string& output,
                       std::chrono::milliseconds timeout) {
  const std::filesystem::path error_log = folder / (script + ".stderr");
  const std::string absolute_folder = std::filesystem::absolute(folder).string();

  SpawnActions actions;
  ::posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_addopen(actions.get(), STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  ::posix_spawn_file_actions_addopen(actions.get(), STDERR_FILENO, error_log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::posix_spawn_file_actions_addchdir_np(actions.get(), absolute_folder.c_str());

  std::string program = std::filesystem::absolute(gnuplot).string();
  std::string define_output = fmt::format("outfile={}", gnuplot_quote(output));
  std::string option = "-e";
  std::string script_argument = script;
  std::vector<char*> argv = {program.data(), option.data(), define_output.data(), script_argument.data(),
                             nullptr};

  pid_t pid = 0;
  const int spawn_error = ::posix_spawn(&pid, program.c_str(), actions.get(), nullptr, argv.data(), environ);
  if (spawn_error != 0) {
    std::error_code ignored;
    std::filesystem::remove(error_log, ignored);
    return {false, fmt::format("cannot start {}: {}", program, std::generic_category().message(spawn_error))};
  }

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  bool timed_out = false;
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      break;
    }
    if (done < 0 && errno != EINTR) {
      return {false, fmt::format("waiting for gnuplot failed: {}", std::generic_category().message(errno))};
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  const std::string message = last_line(error_log);
  std::error_code ignored;
  std::filesystem::remove(error_log, ignored);
  const std::string detail = message.empty() ? std::string() : ": " + message;
  if (timed_out) {
    return {false, fmt::format("gnuplot timed out after {} ms and was killed", timeout.count())};
  }
  if (WIFSIGNALED(status)) {
    return {false, fmt::format("gnuplot was killed by signal {}{}", WTERMSIG(status), detail)};
  }
  if (WEXITSTATUS(status) != 0) {
    return {false, fmt::format("gnuplot exited with status {}{}", WEXITSTATUS(status), detail)};
  }
  return {true, {}};
}

std::string gnuplot_quote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) {
    quoted += c;
    if (c == '\'') {
      quoted += '\'';
    }
  }
  quoted += '\'';
  return quoted;
}

}  // namespace kbeta::plot
