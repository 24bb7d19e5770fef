#include "optim/optimizer.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "core/error.hpp"
#include "optim/adam.hpp"
#include "optim/kourkoutas.hpp"

namespace kbeta::optim {

std::unique_ptr<Optimizer> make_optimizer(const OptimizerSettings& settings, const ParamTable& table) {
  settings.validate();
  if (settings.kind == OptimizerKind::Kourkoutas) {
    return std::make_unique<KourkoutasBeta>(settings, table);
  }
  AdamSettings adam;
  adam.label = settings.kind == OptimizerKind::Adam95 ? "ADAM95" : "ADAM999";
  adam.beta1 = settings.resolved_adam_beta1();
  adam.beta2 = settings.resolved_adam_beta2();
  adam.eps = settings.resolved_adam_eps();
  adam.bias_correction = settings.adam_bias_correction;
  return std::make_unique<Adam>(adam, table);
}

// Python's float repr: the shortest digits that round-trip, written in positional notation when
// the decimal exponent is in [-4, 16) (with ".0" for whole numbers) and as d.ddde±XX otherwise.
std::string python_float_repr(double value) {
  if (std::isnan(value)) {
    return "nan";
  }
  if (std::isinf(value)) {
    return value > 0 ? "inf" : "-inf";
  }
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  KBETA_CHECK(result.ec == std::errc());
  const std::string_view text(buffer, static_cast<std::size_t>(result.ptr - buffer));

  // text is "[-]d[.ddd]e±XX".
  const std::size_t e_pos = text.find('e');
  std::string_view mantissa = text.substr(0, e_pos);
  // to_chars writes the exponent with a sign and at least two digits, and from_chars rejects '+'.
  std::string_view exponent_text = text.substr(e_pos + 1);
  if (!exponent_text.empty() && exponent_text.front() == '+') {
    exponent_text.remove_prefix(1);
  }
  int exponent = 0;
  const auto parsed =
      std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);
  KBETA_CHECK(parsed.ec == std::errc() && parsed.ptr == exponent_text.data() + exponent_text.size());
  std::string sign;
  if (!mantissa.empty() && mantissa.front() == '-') {
    sign = "-";
    mantissa.remove_prefix(1);
  }
  std::string digits;
  for (char ch : mantissa) {
    if (ch != '.') {
      digits.push_back(ch);
    }
  }

  if (exponent < -4 || exponent >= 16) {
    std::string out = sign + digits.substr(0, 1);
    if (digits.size() > 1) {
      out += "." + digits.substr(1);
    }
    const int magnitude = std::abs(exponent);
    out += exponent < 0 ? "e-" : "e+";
    if (magnitude < 10) {
      out += "0";
    }
    out += std::to_string(magnitude);
    return out;
  }
  if (exponent < 0) {
    return sign + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
  }
  const auto integer_digits = static_cast<std::size_t>(exponent) + 1;
  if (digits.size() <= integer_digits) {
    return sign + digits + std::string(integer_digits - digits.size(), '0') + ".0";
  }
  return sign + digits.substr(0, integer_digits) + "." + digits.substr(integer_digits);
}

}  // namespace kbeta::optim
