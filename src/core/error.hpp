// Error types and invariant checks shared by the whole program.
#pragma once

#include <stdexcept>
#include <string>

namespace kbeta {

// Returns `message` with control characters escaped (\n, \t, \r, \xNN), so that an error stays
// one line on the terminal even when it quotes a key, file name or byte taken from user input.
std::string escape_control_characters(const std::string& message);

// A failure at run time: an unreadable or corrupt file, a non-finite loss, a failed write.
// The program exits with status 1.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(escape_control_characters(message)) {}
};

// Invalid usage or configuration: a bad flag, key, value or preset name.
// The program exits with status 2.
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& message) : Error(message) {}
};

[[noreturn]] void check_failed(const char* expression, const char* file, int line);

}  // namespace kbeta

// Always-on check of an internal invariant (not of user input: user input throws Error).
#define KBETA_CHECK(cond)                               \
  do {                                                  \
    if (!(cond)) {                                      \
      ::kbeta::check_failed(#cond, __FILE__, __LINE__); \
    }                                                   \
  } while (false)

// Debug-only check for per-element loops.
#ifdef NDEBUG
#define KBETA_DCHECK(cond) \
  do {                     \
  } while (false)
#else
#define KBETA_DCHECK(cond) KBETA_CHECK(cond)
#endif
