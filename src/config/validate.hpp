// Range and consistency checks of a typed configuration.
#pragma once

#include "config/config.hpp"
#include "config/schema.hpp"

namespace kbeta::config {

// Throws ConfigError naming the key, its value and the expected range for the first value out
// of range or inconsistent with another key (embed_dim not divisible by num_heads, an unstable
// explicit scheme, start_predicting_from beyond time_steps, ...). `locations` adds where each
// key was set to the message.
void validate(const Config& config, const KeyLocations& locations);
void validate(const Config& config);

}  // namespace kbeta::config
