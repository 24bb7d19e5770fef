#include "core/error.hpp"

#include <cstdio>
#include <cstdlib>

namespace kbeta {

void check_failed(const char* expression, const char* file, int line) {
  std::fprintf(stderr, "internal error: check failed: %s at %s:%d\n", expression, file, line);
  std::abort();
}

}  // namespace kbeta
