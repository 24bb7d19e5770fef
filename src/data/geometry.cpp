#include "data/geometry.hpp"

#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"

namespace kbeta::data {
namespace {

constexpr int kMaxPoints = 100000;

void check_positive(const char* key, double value) {
  if (!std::isfinite(value) || value <= 0.0) {
    throw ConfigError(fmt::format("geometry.{}: expected a finite positive number, got {}", key, value));
  }
}

int point_count(const char* length_key, double length, const char* step_key, double step) {
  const double ratio = length / step;
  if (!(ratio < kMaxPoints)) {
    throw ConfigError(
        fmt::format("geometry.{} / geometry.{} = {} gives more than {} grid points; use a "
                    "larger {}",
                    length_key, step_key, ratio, kMaxPoints, step_key));
  }
  const int points = static_cast<int>(ratio) + 1;
  if (points < 3) {
    throw ConfigError(
        fmt::format("geometry.{} = {} with geometry.{} = {} gives {} grid points; at least 3 "
                    "are needed for an interior, so use a smaller {}",
                    length_key, length, step_key, step, points, step_key));
  }
  return points;
}

}  // namespace

Geometry make_geometry(double rod_length, double rod_width, double dx, double dy) {
  check_positive("rod_length", rod_length);
  check_positive("rod_width", rod_width);
  check_positive("dx", dx);
  check_positive("dy", dy);

  Geometry geometry;
  geometry.rod_length = rod_length;
  geometry.rod_width = rod_width;
  geometry.dx = dx;
  geometry.dy = dy;
  geometry.nx = point_count("rod_length", rod_length, "dx", dx);
  geometry.ny = point_count("rod_width", rod_width, "dy", dy);
  return geometry;
}

double diffusion_number(const Geometry& geometry) {
  const double dx2 = geometry.dx * geometry.dx;
  const double dy2 = geometry.dy * geometry.dy;
  return 0.1 * (1.0 + dx2 / dy2);
}

void check_stability(const Geometry& geometry) {
  const double number = diffusion_number(geometry);
  if (number > 0.5 * (1.0 + 1e-12)) {
    throw ConfigError(fmt::format(
        "geometry: dx = {} and dy = {} make the explicit scheme unstable (alpha*dt*(1/dx^2 + 1/dy^2) = {} "
        "> 0.5, with dt = dx^2/(10*alpha)); use dy >= dx/2",
        geometry.dx, geometry.dy, number));
  }
}

}  // namespace kbeta::data
