// Writing a configuration back as YAML.
#pragma once

#include <string>

#include "config/config.hpp"

namespace kbeta::config {

// The fully resolved configuration as YAML: every key, defaults included, in a fixed order.
// Loading the text again gives an equal Config. Keys whose default depends on another key
// (optimizer.adam_beta2, tracking.plot_stride) are written as null with the value in effect
// in a trailing comment, so that the text still follows the other key when it is changed.
std::string to_yaml(const Config& config);

// A stable digest of to_yaml(config): 16 hex digits of its 64-bit FNV-1a hash. Two runs with
// equal resolved configurations have equal digests.
std::string config_hash(const Config& config);

}  // namespace kbeta::config
