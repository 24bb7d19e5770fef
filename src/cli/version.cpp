#include "cli/version.hpp"

#include <cblas.h>
#include <fmt/format.h>

namespace kbeta::cli {

namespace {

// openblas_get_parallel(): 0 sequential, 1 its own pthreads pool, 2 OpenMP.
const char* threading_name(int parallel) {
  switch (parallel) {
    case 0:
      return "sequential";
    case 1:
      return "pthreads";
    case 2:
      return "OpenMP";
    default:
      return "unknown";
  }
}

}  // namespace

std::string version_text() {
  return fmt::format("kbeta-heat2d {}\nBLAS: {} (threading: {})\n", KBETA_VERSION, openblas_get_config(),
                     threading_name(openblas_get_parallel()));
}

}  // namespace kbeta::cli
