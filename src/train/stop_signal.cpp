#include "train/stop_signal.hpp"

#include <csignal>

namespace kbeta::train {

namespace {

volatile std::sig_atomic_t g_stop_signal = 0;

extern "C" void on_stop_signal(int signal_number) {
  g_stop_signal = signal_number;
  // The next SIGINT or SIGTERM takes the default action, so a second Ctrl-C still ends the process.
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void set_handler(void (*handler)(int)) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

}  // namespace

void install_stop_handlers() {
  g_stop_signal = 0;
  set_handler(on_stop_signal);
}

void remove_stop_handlers() {
  set_handler(SIG_DFL);
}

bool stop_requested() {
  return g_stop_signal != 0;
}

int stop_signal() {
  return static_cast<int>(g_stop_signal);
}

}  // namespace kbeta::train
