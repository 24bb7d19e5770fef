#include "optim/buckets.hpp"

#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace kbeta::optim {
namespace {

constexpr std::string_view kLayerPrefix = "transformer_encoder.layers.";

// "transformer_encoder.layers.<i>" for a tensor inside encoder layer i, else the tensor's name.
std::string layer_bucket_name(const std::string& tensor_name) {
  if (tensor_name.rfind(kLayerPrefix, 0) != 0) {
    return tensor_name;
  }
  const std::size_t digits_begin = kLayerPrefix.size();
  std::size_t digits_end = digits_begin;
  while (digits_end < tensor_name.size() && tensor_name[digits_end] >= '0' &&
         tensor_name[digits_end] <= '9') {
    ++digits_end;
  }
  if (digits_end == digits_begin || digits_end >= tensor_name.size() || tensor_name[digits_end] != '.') {
    return tensor_name;
  }
  return tensor_name.substr(0, digits_end);
}

std::string bucket_name(const ParamInfo& info, BucketMode mode) {
  switch (mode) {
    case BucketMode::Global:
      return "global";
    case BucketMode::Tensor:
      return info.name;
    case BucketMode::Layer:
      return layer_bucket_name(info.name);
    case BucketMode::Shape:
      return fmt::format("shape({})", fmt::join(info.shape, "x"));
  }
  return "global";
}

}  // namespace

BucketPlan make_bucket_plan(const ParamTable& table, BucketMode mode) {
  BucketPlan plan;
  plan.bucket_of_tensor.reserve(table.count());
  for (std::size_t t = 0; t < table.count(); ++t) {
    const std::string name = bucket_name(table.entries()[t], mode);
    std::size_t bucket = 0;
    while (bucket < plan.names.size() && plan.names[bucket] != name) {
      ++bucket;
    }
    if (bucket == plan.names.size()) {
      plan.names.push_back(name);
      plan.tensors_of_bucket.emplace_back();
    }
    plan.bucket_of_tensor.push_back(bucket);
    plan.tensors_of_bucket[bucket].push_back(t);
  }
  return plan;
}

}  // namespace kbeta::optim
