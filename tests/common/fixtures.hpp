// Access to the parity fixtures written by the Python reference. Every fixture-driven test
// finds them through KBETA_FIXTURES_DIR (default: ../shared/fixtures beside the checkout) and
// reads sizes, seeds and settings from each fixture's JSON sidecar.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "io/safetensors.hpp"

namespace kbeta::testing {

std::filesystem::path fixtures_dir();

struct Fixture {
  io::Safetensors tensors;
  nlohmann::json sidecar;
};

// Loads NAME.safetensors and NAME.json from fixtures_dir().
Fixture load_fixture(const std::string& name);

// Path of the built kbeta-heat2d program (for end-to-end tests).
std::filesystem::path program_path();

// A fresh empty folder under the build tree for one test's files.
std::filesystem::path scratch_dir(const std::string& test_name);

}  // namespace kbeta::testing
