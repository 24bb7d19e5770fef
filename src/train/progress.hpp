// Training progress on the console: a redrawn bar with the estimated time left on a terminal, and
// a plain line every few seconds otherwise (logs, pipes, CI).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace kbeta::train {

class ProgressReporter {
 public:
  // `interactive`: stdout is a terminal. `plain_interval_seconds`: minimum time between plain
  // lines when it is not.
  ProgressReporter(std::FILE* out, bool interactive, double plain_interval_seconds);

  // Starts counting for the estimate: `steps_left` training steps remain in the whole run.
  void begin_run(std::int64_t steps_left);
  void begin_epoch(int epoch, int epochs, int batches, int first_batch);
  void update(int batches_done, double loss);
  // Erases the bar so that the epoch line starts on a clean line.
  void end_epoch();

 private:
  using Clock = std::chrono::steady_clock;
  double seconds_left() const;

  std::FILE* out_;
  bool interactive_;
  double plain_interval_;
  Clock::time_point run_start_;
  Clock::time_point last_print_;
  std::int64_t steps_left_at_start_ = 0;
  std::int64_t steps_done_ = 0;
  int epoch_ = 0;
  int epochs_ = 0;
  int batches_ = 0;
  bool drawn_ = false;
};

// True when the stream is a terminal.
bool is_terminal(std::FILE* out);

}  // namespace kbeta::train
