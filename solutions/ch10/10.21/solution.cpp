// Reference solution for ch10/10.21: the patches of CIFAR-layout images, and the [CLS] + positions assembly with
// its backward. The assembly is linear, so its backward routes each gradient row back to where its input came from:
// rows 1..64 to the patches, row 0 of every sequence to the one [CLS] token, every row to its position.

#include "ch10/10.21/interface.hpp"

#include <cstddef>

namespace ch10_21 {

namespace {

constexpr std::size_t side = 32, patch = 4, per_side = side / patch, n_patches = per_side * per_side, channels = 3;

}  // namespace

Patches image_patches(const Images& images) {
  Patches out = Patches::from_shape({images.shape(0), n_patches, channels * patch * patch});
  for (std::size_t n = 0; n < images.shape(0); ++n)
    for (std::size_t p = 0; p < n_patches; ++p) {
      const std::size_t top = (p / per_side) * patch, left = (p % per_side) * patch;
      std::size_t f = 0;
      for (std::size_t c = 0; c < channels; ++c)
        for (std::size_t dy = 0; dy < patch; ++dy)
          for (std::size_t dx = 0; dx < patch; ++dx) out(n, p, f++) = images(n, c * side * side + (top + dy) * side + left + dx);
    }
  return out;
}

Rows sequence_forward(const Rows& embedded, const Table& cls, const Table& positions) {
  const std::size_t N = embedded.shape(0), P = embedded.shape(1), d = embedded.shape(2);
  Rows out = Rows::from_shape({N, P + 1, d});
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t s = 0; s <= P; ++s)
      for (std::size_t j = 0; j < d; ++j) out(n, s, j) = (s == 0 ? cls(0, j) : embedded(n, s - 1, j)) + positions(s, j);
  return out;
}

SequenceGrads sequence_backward(const Rows& dsequence) {
  const std::size_t N = dsequence.shape(0), S = dsequence.shape(1), d = dsequence.shape(2);
  SequenceGrads g{Rows::from_shape({N, S - 1, d}), xt::zeros<double>({std::size_t(1), d}), xt::zeros<double>({S, d})};
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t s = 0; s < S; ++s)
      for (std::size_t j = 0; j < d; ++j) {
        const double grad = dsequence(n, s, j);
        g.dpositions(s, j) += grad;
        if (s == 0) g.dcls(0, j) += grad;
        else g.dembedded(n, s - 1, j) = grad;
      }
  return g;
}

}  // namespace ch10_21
