#include "common/fixtures.hpp"

#include <cstdlib>

#include "io/atomic_file.hpp"

namespace kbeta::testing {

std::filesystem::path fixtures_dir() {
  if (const char* dir = std::getenv("KBETA_FIXTURES_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return KBETA_DEFAULT_FIXTURES_DIR;
}

Fixture load_fixture(const std::string& name) {
  const auto dir = fixtures_dir();
  Fixture f{io::Safetensors::load(dir / (name + ".safetensors")),
            nlohmann::json::parse(io::read_file(dir / (name + ".json")))};
  return f;
}

std::filesystem::path program_path() {
  return KBETA_PROGRAM_PATH;
}

std::filesystem::path scratch_dir(const std::string& test_name) {
  auto dir = std::filesystem::path(KBETA_TEST_BINARY_DIR) / "test-scratch" / test_name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace kbeta::testing
