// Grouping of parameter tensors into Kourkoutas-β buckets (one gradient norm and one β₂ each).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/param_table.hpp"
#include "optim/settings.hpp"

namespace kbeta::optim {

struct BucketPlan {
  // Stable bucket names for logs and CSV files, in order of first appearance in the table:
  // "global"; the tensor name; "transformer_encoder.layers.<i>" or the tensor name; or
  // "shape(128x128)" (dimensions of the tensor, "shape()" for a scalar). Names contain no commas,
  // so they fit unquoted CSV fields.
  std::vector<std::string> names;
  std::vector<std::size_t> bucket_of_tensor;  // one entry per ParamTable entry
  // Tensor indices of each bucket, ascending: the fixed order in which bucket norms are summed.
  std::vector<std::vector<std::size_t>> tensors_of_bucket;

  std::size_t count() const { return names.size(); }
};

BucketPlan make_bucket_plan(const ParamTable& table, BucketMode mode);

}  // namespace kbeta::optim
