// Loading a configuration: YAML text → document tree → --override pairs → typed Config →
// validation. Every failure throws ConfigError with the key, the value, what was expected and
// where the value came from.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace kbeta::config {

// Loads the YAML file at `path`, applies `overrides` in order (later pairs win) and validates
// the result. Each override is "KEY=VALUE". KEY is a dotted path (model_params.epochs) or one
// of the aliases epochs and kour_diagnostics. VALUE is parsed as a YAML scalar or flow
// collection (true, 1e-3, [0, 1], null, "quoted text"), and a VALUE that is not valid YAML is
// taken as a plain string.
Config load_config_file(const std::filesystem::path& path, const std::vector<std::string>& overrides = {});

// The same for YAML text; `origin` names it in messages (a file name, "checkpoint metadata").
Config load_config_string(std::string_view yaml, const std::string& origin,
                          const std::vector<std::string>& overrides = {});

}  // namespace kbeta::config
