#include "workbook/oracle/random.hpp"

#include <cmath>

#include <rapidcheck.h>

namespace workbook::oracle {

Matrix gaussian_matrix(std::size_t rows, std::size_t cols, std::mt19937_64& rng, double spread) {
  std::normal_distribution<double> normal(0.0, spread);
  Matrix m = Matrix::from_shape({rows, cols});
  for (auto& v : m) v = normal(rng);
  return m;
}

HeadWeights random_head_weights(std::size_t d_model, std::size_t d_k, std::size_t d_v, std::mt19937_64& rng) {
  const double spread = 1 / std::sqrt(double(d_model));
  HeadWeights w;
  w.q = gaussian_matrix(d_model, d_k, rng, spread);
  w.k = gaussian_matrix(d_model, d_k, rng, spread);
  w.v = gaussian_matrix(d_model, d_v, rng, spread);
  return w;
}

Slabs gaussian_slabs(std::size_t slabs, std::size_t rows, std::size_t cols, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  Slabs h = Slabs::from_shape({slabs, rows, cols});
  for (auto& x : h) x = normal(rng);
  return h;
}

SlabInputs gaussian_attention_inputs(std::size_t q_slabs, std::size_t kv_slabs, std::size_t n_q, std::size_t n_k,
                                     std::size_t d, std::size_t d_v, std::mt19937_64& rng) {
  SlabInputs in;
  in.q = gaussian_slabs(q_slabs, n_q, d, rng);
  in.k = gaussian_slabs(kv_slabs, n_k, d, rng);
  in.v = gaussian_slabs(kv_slabs, n_k, d_v, rng);
  return in;
}

Vector gaussian_vector(std::size_t size, std::mt19937_64& rng, double spread) {
  std::normal_distribution<double> normal(0.0, spread);
  Vector v = Vector::from_shape({size});
  for (auto& x : v) x = normal(rng);
  return v;
}

Matrix orthonormal_rows(std::size_t n, std::size_t d, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  Matrix rows = Matrix::from_shape({n, d});
  for (std::size_t made = 0; made < n;) {
    Vector v = Vector::from_shape({d});
    for (auto& x : v) x = normal(rng);
    for (std::size_t r = 0; r < made; ++r) {
      const double along = dot(v, row(rows, r));
      for (std::size_t i = 0; i < d; ++i) v(i) -= along * rows(r, i);
    }
    const double norm = std::sqrt(dot(v, v));
    if (norm < 1e-6) continue;  // (practically never) a draw too close to the span so far
    for (std::size_t i = 0; i < d; ++i) rows(made, i) = v(i) / norm;
    ++made;
  }
  return rows;
}

std::mt19937_64 property_rng() { return std::mt19937_64(*rc::gen::arbitrary<std::uint64_t>()); }

}  // namespace workbook::oracle
