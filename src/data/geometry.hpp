// The rectangular grid of the heat-diffusion problem.
#pragma once

namespace kbeta::data {

// A rod_length × rod_width plate sampled every dx along x (columns) and dy along y (rows).
struct Geometry {
  double rod_length = 0.0;
  double rod_width = 0.0;
  double dx = 0.0;
  double dy = 0.0;
  int nx = 0;  // int(rod_length / dx) + 1
  int ny = 0;  // int(rod_width / dy) + 1
};

// Builds the grid as the reference does (nx = int(rod_length / dx) + 1, truncating in double,
// so 1.0 / 0.04 = 25.0 gives 26 points). Throws ConfigError naming the `geometry.*` key when a
// value is not a finite positive number or the grid has fewer than 3 points along an axis
// (no interior) or more than 100000.
Geometry make_geometry(double rod_length, double rod_width, double dx, double dy);

// The explicit scheme's coefficient α·dt·(1/dx² + 1/dy²) with the reference's dt = dx²/(10α),
// which is 0.1·(1 + dx²/dy²) whatever α is.
double diffusion_number(const Geometry& geometry);

// Throws ConfigError when diffusion_number() exceeds the FTCS stability limit 0.5 (evaluated in
// double with a relative tolerance of 1e-12, so dy = dx/2, exactly at the limit, is accepted).
void check_stability(const Geometry& geometry);

}  // namespace kbeta::data
