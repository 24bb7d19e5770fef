#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "core/error.hpp"
#include "core/param_table.hpp"
#include "optim/optimizer.hpp"
#include "optim/settings.hpp"

namespace kbeta::optim {
namespace {

std::string validation_message(const OptimizerSettings& s) {
  try {
    s.validate();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

OptimizerSettings kourkoutas_settings() {
  OptimizerSettings s;
  s.kind = OptimizerKind::Kourkoutas;
  return s;
}

TEST(OptimizerSettingsValidate, DefaultsAreValid) {
  EXPECT_EQ(validation_message(OptimizerSettings{}), "no error");
  EXPECT_EQ(validation_message(kourkoutas_settings()), "no error");
}

TEST(OptimizerSettingsValidate, BetaOutsideUnitInterval) {
  OptimizerSettings s = kourkoutas_settings();
  s.beta1 = 1.0;
  EXPECT_EQ(validation_message(s), "optimizer.beta1: expected a number in [0, 1), got 1");

  s = kourkoutas_settings();
  s.beta2_max = 1.5;
  EXPECT_EQ(validation_message(s), "optimizer.beta2_max: expected a number in [0, 1), got 1.5");

  s = kourkoutas_settings();
  s.beta2_min = -0.1;
  EXPECT_EQ(validation_message(s), "optimizer.beta2_min: expected a number in [0, 1), got -0.1");

  s = kourkoutas_settings();
  s.alpha = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(validation_message(s), "optimizer.alpha: expected a number in [0, 1), got nan");

  s = kourkoutas_settings();
  s.adam_beta2 = 1.0;
  EXPECT_EQ(validation_message(s), "optimizer.adam_beta2: expected a number in [0, 1), got 1");

  s = kourkoutas_settings();
  s.adam_beta1 = -0.5;
  EXPECT_EQ(validation_message(s), "optimizer.adam_beta1: expected a number in [0, 1), got -0.5");
}

TEST(OptimizerSettingsValidate, Beta2MinAboveMax) {
  OptimizerSettings s = kourkoutas_settings();
  s.beta2_min = 0.9995;
  EXPECT_EQ(validation_message(s),
            "optimizer.beta2_min: expected at most optimizer.beta2_max (0.999), got 0.9995");
}

TEST(OptimizerSettingsValidate, PositiveConstants) {
  OptimizerSettings s = kourkoutas_settings();
  s.eps = 0.0;
  EXPECT_EQ(validation_message(s), "optimizer.eps: expected a finite number > 0, got 0");

  s = kourkoutas_settings();
  s.adam_eps = -1e-8;
  EXPECT_EQ(validation_message(s), "optimizer.adam_eps: expected a finite number > 0, got -1e-08");

  s = kourkoutas_settings();
  s.tiny_spike = 0.0;
  EXPECT_EQ(validation_message(s), "optimizer.tiny_spike: expected a finite number > 0, got 0");

  s = kourkoutas_settings();
  s.tiny_denom = -1.0;
  EXPECT_EQ(validation_message(s), "optimizer.tiny_denom: expected a finite number >= 0, got -1");

  s = kourkoutas_settings();
  s.max_ratio = 0.0;
  EXPECT_EQ(validation_message(s), "optimizer.max_ratio: expected a finite number > 0, got 0");

  s = kourkoutas_settings();
  s.max_ratio = std::numeric_limits<double>::infinity();
  EXPECT_EQ(validation_message(s), "optimizer.max_ratio: expected a finite number > 0, got inf");
}

TEST(OptimizerSettingsValidate, DecayAndWarmup) {
  OptimizerSettings s = kourkoutas_settings();
  s.decay = 1.2;
  EXPECT_EQ(
      validation_message(s),
      "optimizer.decay: expected a number in (0, 1] (1 is hard AMSGrad) or null to turn it off, got 1.2");

  s = kourkoutas_settings();
  s.decay = 0.0;
  EXPECT_EQ(validation_message(s),
            "optimizer.decay: expected a number in (0, 1] (1 is hard AMSGrad) or null to turn it off, got 0");

  s = kourkoutas_settings();
  s.decay = 1.0;
  EXPECT_EQ(validation_message(s), "no error");

  s = kourkoutas_settings();
  s.warmup_steps = -3;
  EXPECT_EQ(validation_message(s), "optimizer.warmup_steps: expected an integer >= 0, got -3");
}

TEST(OptimizerFactory, ValidatesBeforeBuilding) {
  ParamTable table;
  table.add("w", {4});
  OptimizerSettings s = kourkoutas_settings();
  s.beta2_min = 0.9999;
  EXPECT_THROW(make_optimizer(s, table), ConfigError);
}

TEST(OptimizerParse, NamesAndRejection) {
  EXPECT_EQ(parse_optimizer_kind("adam95"), OptimizerKind::Adam95);
  EXPECT_EQ(parse_optimizer_kind("adam999"), OptimizerKind::Adam999);
  EXPECT_EQ(parse_optimizer_kind("kourkoutas"), OptimizerKind::Kourkoutas);
  EXPECT_EQ(parse_bias_correction("none"), BiasCorrection::None);
  EXPECT_EQ(parse_bias_correction("beta2max"), BiasCorrection::Beta2Max);
  EXPECT_EQ(parse_bias_correction("exact"), BiasCorrection::Exact);
  EXPECT_EQ(parse_bucket_mode("global"), BucketMode::Global);
  EXPECT_EQ(parse_bucket_mode("tensor"), BucketMode::Tensor);
  EXPECT_EQ(parse_bucket_mode("layer"), BucketMode::Layer);
  EXPECT_EQ(parse_bucket_mode("shape"), BucketMode::Shape);

  for (OptimizerKind kind : {OptimizerKind::Adam95, OptimizerKind::Adam999, OptimizerKind::Kourkoutas}) {
    EXPECT_EQ(parse_optimizer_kind(to_string(kind)), kind);
  }
  for (BucketMode mode : {BucketMode::Global, BucketMode::Tensor, BucketMode::Layer, BucketMode::Shape}) {
    EXPECT_EQ(parse_bucket_mode(to_string(mode)), mode);
  }

  try {
    parse_optimizer_kind("sgd");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "optimizer.name: expected one of adam95, adam999, kourkoutas, got 'sgd'");
  }
  try {
    parse_bias_correction("true");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "optimizer.bias_correction: expected one of none, beta2max, exact, got 'true'");
  }
  try {
    parse_bucket_mode("layers");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "optimizer.layer_buckets: expected one of global, tensor, layer, shape, got 'layers'");
  }
}

TEST(PythonFloatRepr, MatchesPythonRepr) {
  // Expected strings are Python 3's repr() of the same doubles.
  EXPECT_EQ(python_float_repr(0.9), "0.9");
  EXPECT_EQ(python_float_repr(0.999), "0.999");
  EXPECT_EQ(python_float_repr(0.88), "0.88");
  EXPECT_EQ(python_float_repr(0.93), "0.93");
  EXPECT_EQ(python_float_repr(3.0), "3.0");
  EXPECT_EQ(python_float_repr(100.0), "100.0");
  EXPECT_EQ(python_float_repr(1e-5), "1e-05");
  EXPECT_EQ(python_float_repr(1.5e-5), "1.5e-05");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(1234567890123456.0), "1234567890123456.0");
  EXPECT_EQ(python_float_repr(-0.25), "-0.25");
  EXPECT_EQ(python_float_repr(0.0), "0.0");
  EXPECT_EQ(python_float_repr(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(python_float_repr(1e100), "1e+100");
}

TEST(OptimizerDescribe, ReferenceConsoleLines) {
  ParamTable table;
  table.add("w", {4});

  OptimizerSettings adam95;
  adam95.kind = OptimizerKind::Adam95;
  EXPECT_EQ(make_optimizer(adam95, table)->describe(),
            "ADAM95  β1,β2=[0.9, 0.95] | eps=1.00e-08 | bias_correction=True");

  OptimizerSettings adam999;
  adam999.kind = OptimizerKind::Adam999;
  EXPECT_EQ(make_optimizer(adam999, table)->describe(),
            "ADAM999  β1,β2=[0.9, 0.999] | eps=1.00e-08 | bias_correction=True");

  EXPECT_EQ(make_optimizer(kourkoutas_settings(), table)->describe(),
            "KOUR   β1=0.9 | β2_max=0.999 | β2_min=0.88 | α=0.93 | tiny=1.0e-08/1.0e-08 | adaptTiny=False | "
            "decay=off | maxR=off | eps=1.00e-08 | diagnostics=False");

  OptimizerSettings extras = kourkoutas_settings();
  extras.decay = 0.98;
  extras.max_ratio = 3.0;
  extras.adaptive_tiny = true;
  extras.diagnostics = true;
  EXPECT_EQ(make_optimizer(extras, table)->describe(),
            "KOUR   β1=0.9 | β2_max=0.999 | β2_min=0.88 | α=0.93 | tiny=1.0e-08/1.0e-08 | adaptTiny=True | "
            "decay=0.98 | maxR=3.0 | eps=1.00e-08 | diagnostics=True");
}

}  // namespace
}  // namespace kbeta::optim
