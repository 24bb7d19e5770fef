// SIGINT and SIGTERM as a request to stop: the trainer finishes the current step, writes a
// checkpoint and returns. A second signal ends the process at once (the default action).
#pragma once

namespace kbeta::train {

// Installs the handlers for SIGINT and SIGTERM and clears any earlier request.
void install_stop_handlers();
// Restores the default actions.
void remove_stop_handlers();
bool stop_requested();
// The signal number that requested the stop, or 0.
int stop_signal();

}  // namespace kbeta::train
