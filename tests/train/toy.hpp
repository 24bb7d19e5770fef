// A toy model, optimiser and dataset behind the trainer's interfaces, so that the training
// machinery (loop, checkpoints, resume, metrics, evaluation) is tested apart from the Transformer.
#pragma once

#include <cmath>
#include <csignal>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/rng.hpp"
#include "optim/optimizer.hpp"
#include "optim/state_slots.hpp"
#include "train/interfaces.hpp"

namespace kbeta::testing {

// Per-frame affine map of P pixels: pred[b, t] = W · input[b, t] + bias + offset, where `offset` is
// a frozen constant. The loss is the MSE against the target; the other terms are reported as 0.
class ToyModel : public train::Model {
 public:
  ToyModel(train::SampleShape shape, int max_batch, std::uint64_t seed)
      : shape_(shape), max_batch_(max_batch) {
    const auto p = static_cast<std::int64_t>(shape.frame_size());
    params_.add("linear.weight", {p, p});
    params_.add("linear.bias", {p});
    frozen_.add("offset", {p});
    values_.resize(params_.total_size());
    grads_.resize(params_.total_size());
    frozen_values_.resize(frozen_.total_size());
    rng::Generator gen(seed);
    gen.uniform(-0.3f, 0.3f, values_);
    gen.uniform(-0.1f, 0.1f, frozen_values_);
  }

  const ParamTable& params() const override { return params_; }
  std::span<float> parameters() override { return values_; }
  std::span<float> gradients() override { return grads_; }
  const ParamTable& frozen() const override { return frozen_; }
  std::span<float> frozen_values() override { return frozen_values_; }
  void refresh_after_load() override { ++refreshes; }
  int max_batch() const override { return max_batch_; }

  train::LossTerms compute_gradients(std::span<const float> target, std::span<const float> alpha,
                                     std::span<const float> dt, int batch) override {
    if (before_step) {
      before_step(steps_seen);
    }
    ++steps_seen;
    return run(target, alpha, dt, batch, true);
  }
  train::LossTerms compute_loss(std::span<const float> target, std::span<const float> alpha,
                                std::span<const float> dt, int batch) override {
    return run(target, alpha, dt, batch, false);
  }
  void predict(std::span<float> out, std::span<const float> input, std::span<const float>,
               int batch) override {
    const std::size_t p = shape_.frame_size();
    const std::size_t frames = static_cast<std::size_t>(batch) * static_cast<std::size_t>(shape_.time_steps);
    for (std::size_t f = 0; f < frames; ++f) {
      for (std::size_t o = 0; o < p; ++o) {
        float acc = values_[p * p + o] + frozen_values_[o];
        for (std::size_t i = 0; i < p; ++i) {
          acc += values_[o * p + i] * input[f * p + i];
        }
        out[f * p + o] = acc;
      }
    }
  }

  // Called with the number of training steps seen so far, before each training step.
  std::function<void(int)> before_step;
  int steps_seen = 0;
  int refreshes = 0;

 private:
  train::LossTerms run(std::span<const float> target, std::span<const float>, std::span<const float>,
                       int batch, bool backward) {
    std::vector<float> pred(target.size());
    predict(pred, target, {}, batch);
    const std::size_t p = shape_.frame_size();
    const double n = static_cast<double>(target.size());
    double sum = 0;
    for (std::size_t k = 0; k < target.size(); ++k) {
      const double d = static_cast<double>(pred[k]) - static_cast<double>(target[k]);
      sum += d * d;
      if (backward) {
        const auto g = static_cast<float>(2.0 * d / n);
        const std::size_t f = k / p;
        const std::size_t o = k % p;
        for (std::size_t i = 0; i < p; ++i) {
          grads_[o * p + i] += g * target[f * p + i];
        }
        grads_[p * p + o] += g;
      }
    }
    train::LossTerms t;
    t.mse = sum / n;
    t.total = t.mse;
    return t;
  }

  train::SampleShape shape_;
  int max_batch_;
  ParamTable params_;
  ParamTable frozen_;
  std::vector<float> values_;
  std::vector<float> grads_;
  std::vector<float> frozen_values_;
};

// Adam with bias correction, plus a global-norm EMA that plays the part of a Kourkoutas-β bucket,
// so that state of every kind (float buffers, a double and an integer) goes through checkpoints.
class ToyAdam : public optim::Optimizer {
 public:
  explicit ToyAdam(std::size_t n, bool diagnostics = false) : m_(n), v_(n), diagnostics_(diagnostics) {
    const auto size = static_cast<std::int64_t>(n);
    slots_.push_back({"optimizer.m", {size}, std::span<float>(m_)});
    slots_.push_back({"optimizer.v", {size}, std::span<float>(v_)});
    slots_.push_back({"optimizer.grad_ema", {1}, std::span<double>(ema_)});
    slots_.push_back({"optimizer.step", {}, std::span<std::int64_t>(step_)});
  }

  void step(std::span<float> params, std::span<const float> grads, double lr) override {
    step_[0] += 1;
    const double t = static_cast<double>(step_[0]);
    double norm = 0;
    for (float g : grads) {
      norm += static_cast<double>(g) * static_cast<double>(g);
    }
    norm = std::sqrt(norm);
    ema_[0] = 0.9 * ema_[0] + 0.1 * norm;
    const double raw = norm / (ema_[0] + 1e-8);
    sun_[0] = static_cast<float>(raw / (1 + raw));
    beta2_[0] = 0.999f - 0.119f * sun_[0];
    const float bc1 = static_cast<float>(1 - std::pow(0.9, t));
    const float bc2 = static_cast<float>(1 - std::pow(0.999, t));
    for (std::size_t i = 0; i < params.size(); ++i) {
      m_[i] = 0.9f * m_[i] + 0.1f * grads[i];
      v_[i] = 0.999f * v_[i] + 0.001f * grads[i] * grads[i];
      params[i] -= static_cast<float>(lr) * (m_[i] / bc1) / (std::sqrt(v_[i] / bc2) + 1e-8f);
    }
  }
  std::string describe() const override { return "TOY ADAM"; }
  std::int64_t step_count() const override { return step_[0]; }
  std::vector<optim::StateTensor> state() const override { return optim::detail::as_views(slots_); }
  void load_state(const std::vector<optim::StateTensor>& tensors) override {
    optim::detail::load_into(slots_, tensors);
  }
  bool diagnostics_enabled() const override { return diagnostics_; }
  std::string describe_diagnostics() const override { return "   toy diagnostics"; }
  optim::BucketStats bucket_stats() const override {
    if (!diagnostics_) {
      return {};
    }
    return {names_, sun_, beta2_};
  }

 private:
  std::vector<float> m_, v_;
  std::vector<double> ema_{0.0};
  std::vector<std::int64_t> step_{0};
  std::vector<optim::detail::StateSlot> slots_;
  std::vector<std::string> names_{"global"};
  std::vector<float> sun_{0.0f};
  std::vector<float> beta2_{0.0f};
  bool diagnostics_;
};

// Smooth random sequences: frame t of a sample is a random base frame times 0.9^t.
struct ToyData {
  train::SampleShape shape{6, 3, 4};
  std::vector<float> frames[3];
  std::vector<float> alpha[3];
  std::vector<float> dt[3];
  train::DatasetViews views;

  explicit ToyData(std::uint64_t seed, std::size_t train_count = 12, std::size_t other_count = 4) {
    rng::Generator gen(seed);
    const std::size_t counts[3] = {train_count, other_count, other_count};
    train::SplitView* splits[3] = {&views.train, &views.validation, &views.test};
    for (int s = 0; s < 3; ++s) {
      const std::size_t n = counts[s];
      frames[s].resize(n * shape.sample_size());
      std::vector<float> base(n * shape.frame_size());
      gen.uniform(0.0f, 1.0f, base);
      for (std::size_t i = 0; i < n; ++i) {
        for (int t = 0; t < shape.time_steps; ++t) {
          for (std::size_t p = 0; p < shape.frame_size(); ++p) {
            frames[s][(i * static_cast<std::size_t>(shape.time_steps) + static_cast<std::size_t>(t)) *
                          shape.frame_size() +
                      p] = base[i * shape.frame_size() + p] * std::pow(0.9f, static_cast<float>(t));
          }
        }
      }
      alpha[s].assign(n, 0.05f);
      dt[s].assign(n, 0.01f);
      *splits[s] = {frames[s], alpha[s], dt[s], n};
    }
    views.shape = shape;
  }
};

}  // namespace kbeta::testing
