// The heat-diffusion Transformer behind the trainer's model interface.
#pragma once

#include <memory>

#include "config/config.hpp"
#include "core/rng.hpp"
#include "train/interfaces.hpp"

namespace kbeta::train {

class TransformerModel : public Model {
 public:
  // Plans the model of the configuration for a grid of ny × nx and batches of up to max_batch
  // samples. The parameters are not drawn yet: call initialize().
  static std::unique_ptr<TransformerModel> create(const config::Config& config, int ny, int nx,
                                                  int max_batch);

  // Draws every parameter and frozen constant from the generator in the reference's order.
  virtual void initialize(rng::Generator& generator) = 0;
  // Floating-point operations of one training step (forward and backward) on `batch` samples.
  virtual double flops_per_step(int batch) const = 0;
};

}  // namespace kbeta::train
