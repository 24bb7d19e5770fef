#include "train/progress.hpp"

#include <unistd.h>

#include <cmath>
#include <string>

#include <fmt/format.h>

namespace kbeta::train {

namespace {

constexpr int kBarWidth = 30;
// A terminal bar is redrawn at most this often, so that fast steps do not flood the terminal.
constexpr double kRedrawSeconds = 0.2;

std::string clock_text(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) {
    return "--:--";
  }
  const long s = std::lround(seconds);
  if (s >= 3600) {
    return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  }
  return fmt::format("{:02}:{:02}", s / 60, s % 60);
}

}  // namespace

bool is_terminal(std::FILE* out) {
  return ::isatty(::fileno(out)) == 1;
}

ProgressReporter::ProgressReporter(std::FILE* out, bool interactive, double plain_interval_seconds)
    : out_(out), interactive_(interactive), plain_interval_(plain_interval_seconds) {}

void ProgressReporter::begin_run(std::int64_t steps_left) {
  run_start_ = Clock::now();
  last_print_ = run_start_;
  steps_left_at_start_ = steps_left;
  steps_done_ = 0;
}

void ProgressReporter::begin_epoch(int epoch, int epochs, int batches, int first_batch) {
  epoch_ = epoch;
  epochs_ = epochs;
  batches_ = batches;
  (void)first_batch;
}

double ProgressReporter::seconds_left() const {
  if (steps_done_ == 0) {
    return -1;
  }
  // Estimate: the mean wall time per step so far (validation included) times the steps left.
  const double elapsed = std::chrono::duration<double>(Clock::now() - run_start_).count();
  return elapsed / static_cast<double>(steps_done_) * static_cast<double>(steps_left_at_start_ - steps_done_);
}

void ProgressReporter::update(int batches_done, double loss) {
  ++steps_done_;
  const auto now = Clock::now();
  const double since = std::chrono::duration<double>(now - last_print_).count();
  const bool last = batches_done == batches_;
  if (interactive_) {
    if (since < kRedrawSeconds && !last) {
      return;
    }
    const int filled = batches_ > 0 ? batches_done * kBarWidth / batches_ : kBarWidth;
    const std::string bar = std::string(static_cast<std::size_t>(filled), '#') +
                            std::string(static_cast<std::size_t>(kBarWidth - filled), '.');
    fmt::print(out_, "\r\033[KEpoch {}/{} [{}] {}/{} loss {:.4e} ETA {}", epoch_, epochs_, bar, batches_done,
               batches_, loss, clock_text(seconds_left()));
    (void)std::fflush(out_);
    drawn_ = true;
  } else {
    if (since < plain_interval_ || last) {
      return;
    }
    fmt::print(out_, "  epoch {}/{}: batch {}/{}, loss {:.4e}, about {} left\n", epoch_, epochs_,
               batches_done, batches_, loss, clock_text(seconds_left()));
    (void)std::fflush(out_);
  }
  last_print_ = now;
}

void ProgressReporter::end_epoch() {
  if (interactive_ && drawn_) {
    fmt::print(out_, "\r\033[K");
    (void)std::fflush(out_);
    drawn_ = false;
  }
}

}  // namespace kbeta::train
