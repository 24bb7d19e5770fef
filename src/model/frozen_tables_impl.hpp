// Template body of collapse_projection (included by frozen_tables.hpp).
#pragma once

#include <omp.h>

#include "core/error.hpp"

namespace kbeta::model {

template <typename RowFn>
void collapse_projection(std::span<double> frame_matrix, std::span<double> frame_offset, int embed_dim,
                         int ny, int nx, int spatial_dim, const SpatialTables& tables, RowFn&& weight_row) {
  const auto pixels = static_cast<std::size_t>(ny) * static_cast<std::size_t>(nx);
  const auto f_dim = static_cast<std::size_t>(spatial_dim);
  KBETA_CHECK(frame_matrix.size() == static_cast<std::size_t>(embed_dim) * pixels);
  KBETA_CHECK(frame_offset.size() == static_cast<std::size_t>(embed_dim));
  KBETA_CHECK(tables.y.size() == static_cast<std::size_t>(ny) * f_dim);
  KBETA_CHECK(tables.x.size() == static_cast<std::size_t>(nx) * f_dim);

#pragma omp parallel
  {
    std::vector<float> row(pixels * f_dim);
#pragma omp for schedule(static)
    for (int o = 0; o < embed_dim; ++o) {
      weight_row(std::span<float>(row), static_cast<std::size_t>(o));
      double offset = 0.0;
      for (std::size_t pix = 0; pix < pixels; ++pix) {
        const std::size_t i = pix / static_cast<std::size_t>(nx);
        const std::size_t j = pix % static_cast<std::size_t>(nx);
        const float* w = row.data() + pix * f_dim;
        double weight_sum = 0.0;
        for (std::size_t f = 0; f < f_dim; ++f) {
          const double wf = static_cast<double>(w[f]);
          weight_sum += wf;
          offset += wf * (static_cast<double>(tables.y[i * f_dim + f]) +
                          static_cast<double>(tables.x[j * f_dim + f]));
        }
        frame_matrix[static_cast<std::size_t>(o) * pixels + pix] = weight_sum;
      }
      frame_offset[static_cast<std::size_t>(o)] = offset;
    }
  }
}

}  // namespace kbeta::model
