#include "config/presets.hpp"

#include <algorithm>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "core/error.hpp"

namespace kbeta::config {

namespace {

namespace fs = std::filesystem;

bool directory_exists(const fs::path& path) {
  std::error_code error;
  return fs::is_directory(path, error);
}

bool file_exists(const fs::path& path) {
  std::error_code error;
  return fs::is_regular_file(path, error);
}

bool has_yaml_extension(std::string_view name) {
  return name.ends_with(".yml") || name.ends_with(".yaml");
}

}  // namespace

std::vector<fs::path> preset_dirs() {
  std::vector<fs::path> candidates;
  std::error_code error;
  const fs::path program = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    candidates.push_back(program.parent_path().parent_path() / "share" / "kbeta-heat2d" / "configs");
  }
  candidates.emplace_back(KBETA_SOURCE_PRESET_DIR);
  candidates.emplace_back(KBETA_INSTALL_PRESET_DIR);

  std::vector<fs::path> dirs;
  for (const auto& dir : candidates) {
    if (directory_exists(dir) && std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) {
      dirs.push_back(dir);
    }
  }
  return dirs;
}

std::vector<std::string> list_presets() {
  std::set<std::string> names;
  for (const auto& dir : preset_dirs()) {
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dir, error)) {
      if (entry.path().extension() == ".yml" && file_exists(entry.path())) {
        names.insert(entry.path().stem().string());
      }
    }
  }
  return {names.begin(), names.end()};
}

fs::path find_config(std::string_view name) {
  const fs::path as_given(name);
  if (file_exists(as_given)) {
    return as_given;
  }
  const std::string file_name = has_yaml_extension(name) ? std::string(name) : std::string(name) + ".yml";
  // A name with a folder in it is a path, never a preset.
  if (fs::path(file_name).has_parent_path() == false) {
    for (const auto& dir : preset_dirs()) {
      if (file_exists(dir / file_name)) {
        return dir / file_name;
      }
    }
  }
  const std::vector<std::string> presets = list_presets();
  const std::string available =
      presets.empty() ? std::string("none found") : fmt::format("{}", fmt::join(presets, ", "));
  throw ConfigError(fmt::format("config '{}' not found: it is neither a file nor a preset name (presets: {})",
                                name, available));
}

}  // namespace kbeta::config
