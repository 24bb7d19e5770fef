// Running gnuplot as a child process.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace kbeta::plot {

// Finds `program` the way execvp would: a name containing '/' is used as given, any other name
// is looked up in the folders of PATH. Returns nothing when no executable file is found.
std::optional<std::filesystem::path> find_program(const std::string& program);

struct GnuplotRun {
  bool ok = false;
  std::string error;  // one line when !ok: the exit status, signal or timeout and gnuplot's last message
};

// Runs `gnuplot -e "outfile='OUTPUT'" SCRIPT` in `folder`, with stdin from /dev/null and stderr
// captured, and kills it after `timeout`. The argument vector goes straight to posix_spawn (no
// shell); `script` and `output` must be plain file names inside `folder`.
GnuplotRun run_gnuplot(const std::filesystem::path& gnuplot, const std::filesystem::path& folder,
                       const std::string& script, const std::string& output,
                       std::chrono::milliseconds timeout);

// Quotes `text` as a gnuplot single-quoted string, where a quote is written twice.
std::string gnuplot_quote(const std::string& text);

}  // namespace kbeta::plot
