// The text of --version.
#pragma once

#include <string>

namespace kbeta::cli {

// "kbeta-heat2d VERSION" and a line naming the BLAS library loaded at run time and its
// threading model, so that a user can check that the OpenMP build of OpenBLAS is in use.
std::string version_text();

}  // namespace kbeta::cli
