// Summary statistics for the distribution plots: Gaussian kernel density estimates, histograms
// and medians. All skip non-finite values.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace kbeta::plot {

struct DensityCurve {
  std::vector<double> x;        // evaluation points, evenly spaced over [min, max] of the data
  std::vector<double> density;  // estimated density at each point
};

// Gaussian kernel density estimate with Scott's bandwidth, σ·n^(-1/5) (σ: sample standard
// deviation), evaluated at `points` values between the smallest and largest sample, so the curve
// is cut at the data range. All-equal or single samples give one point with density 0.
DensityCurve gaussian_kde(std::span<const double> samples, std::size_t points);

// Counts per bin of `bins` equal bins over [low, high]. The last bin includes `high`; values
// outside the range are dropped, as numpy.histogram does.
std::vector<std::size_t> histogram(std::span<const double> samples, std::size_t bins, double low,
                                   double high);

// Median of the finite samples (mean of the middle two for an even count); NaN when none.
double median(std::span<const double> samples);

}  // namespace kbeta::plot
