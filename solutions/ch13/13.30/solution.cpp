// Reference solution for ch13/13.30: count each matrix by its shape and add them up; nothing here assumes the
// answer. A head's projections are (d, d / h) each; W_O maps the concatenation, of width h (d / h) = d, to d.

#include "ch13/13.30/interface.hpp"

namespace ch13_30 {

namespace {
std::int64_t head_width(std::int64_t d, std::int64_t h) { return d / h; }
}  // namespace

HeadCounts per_head(std::int64_t d, std::int64_t h) {
  const std::int64_t projection = d * head_width(d, h);
  return {projection, projection, projection};
}

std::int64_t output_projection(std::int64_t d, std::int64_t h) { return h * head_width(d, h) * d; }

std::int64_t total(std::int64_t d, std::int64_t h) {
  const HeadCounts head = per_head(d, h);
  return h * (head.query + head.key + head.value) + output_projection(d, h);
}

std::int64_t total_with_biases(std::int64_t d, std::int64_t h) {
  const std::int64_t head_biases = 3 * head_width(d, h);  // one per output of W_Q^i, W_K^i, W_V^i
  return total(d, h) + h * head_biases + d;
}

}  // namespace ch13_30
