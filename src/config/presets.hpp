// Packaged presets: configuration files found by name (`heat2d`, `paper.yml`, ...).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace kbeta::config {

// The folders searched for presets, in order: <program>/../share/kbeta-heat2d/configs (an
// installed program), the source tree's configs/ (a program in the build tree), then the
// configured install prefix's share folder. Folders that do not exist are left out.
std::vector<std::filesystem::path> preset_dirs();

// Preset names (file names without .yml) found in preset_dirs(), sorted, without duplicates.
std::vector<std::string> list_presets();

// Resolves CONFIG as the reference does. An existing file wins. Otherwise `name`, with ".yml"
// appended unless it ends in .yml or .yaml, is looked up in preset_dirs(). Throws ConfigError
// listing the available presets when neither exists.
std::filesystem::path find_config(std::string_view name);

}  // namespace kbeta::config
