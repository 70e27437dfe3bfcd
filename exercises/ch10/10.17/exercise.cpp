// 10.17: the residual stream of a 3-layer pre-LN encoder. The oracle is the same encoder in plain loops
// (LayerNorm, one-head attention through workbook/oracle/attention.hpp, a GELU FFN), run on a small seeded model
// (n = 3 positions, d = 4, d_ff = 8, weights of spread 1/sqrt(fan-in) so that every sub-layer matters).
// Reachability is shown by Jacobians of what layer 3's attention reads: central differences of the student's
// layer3_attention_input (one call with all 2 n d perturbations) against central differences of the oracle, and
// against the exact answers where the routes make them exact: along the stream alone, the residual wiring
// carries a perturbation unchanged (the identity) and the pipeline drops it (zero).

#include "ch10/10.17/interface.hpp"

#include <cmath>

#include <xtensor/xview.hpp>

#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/decoder_block.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using ch10_17::Layer;
using ch10_17::Point;
using ch10_17::Routes;
using ch10_17::Wiring;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;
using workbook::oracle::matmul;
using Tensor3 = xt::xtensor<double, 3>;

// ---- the oracle encoder -----------------------------------------------------------------------------------

// The encoder's norms have unit gain and no bias.
Matrix layer_norm(const Matrix& x) {
  const workbook::oracle::Vector ones = xt::ones<double>({x.shape(1)}), zeros = xt::zeros<double>({x.shape(1)});
  return workbook::oracle::layer_norm(x, ones, zeros, 1e-5);
}

Matrix attention_sublayer(const Matrix& x, const Layer& l) {
  const Matrix z = layer_norm(x);
  const double scale = 1 / std::sqrt(double(x.shape(1)));
  return matmul(workbook::oracle::attention(matmul(z, l.w_q), matmul(z, l.w_k), matmul(z, l.w_v), scale), l.w_o);
}

Matrix ffn_sublayer(const Matrix& x, const Layer& l) {
  Matrix hidden = matmul(layer_norm(x), l.w_1);
  for (auto& t : hidden) t = workbook::oracle::gelu(t);
  return matmul(hidden, l.w_2);
}

std::vector<Matrix> oracle_terms(const Matrix& x0, const std::vector<Layer>& layers) {
  std::vector<Matrix> terms = {x0};
  Matrix x = x0;
  for (const auto& l : layers) {
    terms.push_back(attention_sublayer(x, l));
    const Matrix u = x + terms.back();
    terms.push_back(ffn_sublayer(u, l));
    x = u + terms.back();
  }
  return terms;
}

// x_2 with `delta` added at `point`. With Routes::stream_only every sub-layer reads the unperturbed stream.
Matrix oracle_read(const Matrix& x0, const std::vector<Layer>& layers, Wiring wiring, Point point, Routes routes,
                   const Matrix& delta) {
  Matrix x = point == Point::embedding ? Matrix(x0 + delta) : x0, clean = x0;
  const auto step = [&](const Matrix& written, const Matrix& written_clean) {
    x = wiring == Wiring::residual ? Matrix(x + written) : written;
    clean = wiring == Wiring::residual ? Matrix(clean + written_clean) : written_clean;
  };
  for (std::size_t l = 0; l < 2; ++l) {
    const Matrix a_clean = attention_sublayer(clean, layers[l]);
    step(routes == Routes::all ? attention_sublayer(x, layers[l]) : a_clean, a_clean);
    const Matrix f_clean = ffn_sublayer(clean, layers[l]);
    step(routes == Routes::all ? ffn_sublayer(x, layers[l]) : f_clean, f_clean);
    if (l == 0 && point == Point::after_ffn_1) x += delta;
  }
  return x;
}

// ---- the seeded model and the Jacobians ---------------------------------------------------------------------

constexpr std::size_t n = 3, d = 4, d_ff = 8;
constexpr double step_size = 1e-6;

struct Model {
  Matrix x0;
  std::vector<Layer> layers;
};

Model seeded_model(const Context& ctx, const std::string& stream, std::size_t count = 3, std::size_t width = d,
                   std::size_t positions = n, std::size_t hidden = d_ff) {
  auto rng = ctx.rng(stream);
  using workbook::oracle::gaussian_matrix;
  Model m{gaussian_matrix(positions, width, rng), {}};
  const double s = 1 / std::sqrt(double(width)), s_ff = 1 / std::sqrt(double(hidden));
  for (std::size_t l = 0; l < count; ++l)
    m.layers.push_back({gaussian_matrix(width, width, rng, s), gaussian_matrix(width, width, rng, s),
                        gaussian_matrix(width, width, rng, s), gaussian_matrix(width, width, rng, s),
                        gaussian_matrix(width, hidden, rng, s), gaussian_matrix(hidden, width, rng, s_ff)});
  return m;
}

// The 2 n d perturbations +h e_i, -h e_i, one per entry i of the stream.
Tensor3 perturbations() {
  Tensor3 deltas = xt::zeros<double>({2 * n * d, n, d});
  for (std::size_t i = 0; i < n * d; ++i) {
    deltas(2 * i, i / d, i % d) = step_size;
    deltas(2 * i + 1, i / d, i % d) = -step_size;
  }
  return deltas;
}

// J(out entry, in entry) = (read(+h e_in) - read(-h e_in))_out / 2h, from the reads of the perturbations above.
Matrix jacobian_from_reads(const Tensor3& reads) {
  if (reads.shape(0) != 2 * n * d || reads.shape(1) != n || reads.shape(2) != d)
    throw std::runtime_error("expected one n x d read per perturbation");
  Matrix j = Matrix::from_shape({n * d, n * d});
  for (std::size_t in = 0; in < n * d; ++in)
    for (std::size_t out = 0; out < n * d; ++out)
      j(out, in) = (reads(2 * in, out / d, out % d) - reads(2 * in + 1, out / d, out % d)) / (2 * step_size);
  return j;
}

Matrix student_jacobian(const Model& m, Wiring wiring, Point point, Routes routes) {
  return jacobian_from_reads(ch10_17::layer3_attention_input(m.x0, m.layers, wiring, point, routes, perturbations()));
}

Matrix oracle_jacobian(const Model& m, Wiring wiring, Point point, Routes routes) {
  const auto deltas = perturbations();
  Tensor3 reads = Tensor3::from_shape(deltas.shape());
  for (std::size_t i = 0; i < deltas.shape(0); ++i)
    xt::view(reads, i) = oracle_read(m.x0, m.layers, wiring, point, routes, Matrix(xt::view(deltas, i)));
  return jacobian_from_reads(reads);
}

constexpr auto jacobian_tolerance = workbook::tolerance::central_difference;

// The four Jacobian checks of a part: both wirings, all routes against the oracle, the stream alone exactly.
void jacobian_checks(workbook::Part& part, Point point, const std::string& source) {
  part.check("residual, all routes", CheckKind::close,
             "d x_2 / d(" + source + ") of your residual encoder against the oracle encoder's (both by central "
             "differences with steps of 1e-6)",
             [point](const Context& ctx) {
               const auto m = seeded_model(ctx, "jacobian");
               return workbook::close(student_jacobian(m, Wiring::residual, point, Routes::all),
                                      oracle_jacobian(m, Wiring::residual, point, Routes::all), jacobian_tolerance);
             })
      .check("residual, stream only", CheckKind::close,
             "the same Jacobian when the perturbation may travel only along the stream, against the identity",
             [point](const Context& ctx) {
               const auto m = seeded_model(ctx, "jacobian");
               return workbook::close(student_jacobian(m, Wiring::residual, point, Routes::stream_only),
                                      xt::eye<double>(n * d), jacobian_tolerance);
             })
      .check("pipeline, all routes", CheckKind::close,
             "d x_2 / d(" + source + ") with the residual connections cut (a pipeline) against the oracle's",
             [point](const Context& ctx) {
               const auto m = seeded_model(ctx, "jacobian");
               return workbook::close(student_jacobian(m, Wiring::pipeline, point, Routes::all),
                                      oracle_jacobian(m, Wiring::pipeline, point, Routes::all), jacobian_tolerance);
             })
      .check("pipeline, stream only", CheckKind::close,
             "the pipeline's Jacobian along the stream alone against the zero matrix",
             [point](const Context& ctx) {
               const auto m = seeded_model(ctx, "jacobian");
               return workbook::close(student_jacobian(m, Wiring::pipeline, point, Routes::stream_only),
                                      xt::zeros<double>({n * d, n * d}), jacobian_tolerance);
             });
}

// ---- the parts --------------------------------------------------------------------------------------------

CheckResult terms_match(const Model& m) {
  const auto expected = oracle_terms(m.x0, m.layers);
  xt::xarray<double> want = xt::zeros<double>({expected.size(), m.x0.shape(0), m.x0.shape(1)});
  for (std::size_t t = 0; t < expected.size(); ++t) xt::view(want, t) = expected[t];
  return workbook::close(xt::xarray<double>(ch10_17::stream_terms(m.x0, m.layers)), want,
                         workbook::tolerance::float_computation);
}

void part_a(workbook::Exercise& ex) {
  ex.part("a1", 2, R"(Implement stream_terms for a stack of any number of layers.)")
      .check("3 layers", CheckKind::close, "the 7 terms of the seeded 3-layer model against the plain-loop encoder",
             [](const Context& ctx) { return terms_match(seeded_model(ctx, "a")); })
      .check("other shapes", CheckKind::close,
             "a 2-layer model with 5 positions, d = 6 and d_ff = 10 (5 terms) against the plain-loop encoder",
             [](const Context& ctx) { return terms_match(seeded_model(ctx, "a-shapes", 2, 6, 5, 10)); });
  ex.part("a2", 1, R"(Write the output x_3 of the 3-layer pre-LN encoder as one expression in x_0 and the
sub-layers A_l, F_l (each applied to the stream it reads), with every residual addition spelled out. How many terms
does the sum have, and how many of them are already in the stream that layer 3's attention reads?)")
      .integer_answer("a_terms", "terms in the sum that gives x_3", 7)
      .integer_answer("a_read_by_A3", "terms in x_2, the stream layer 3's attention reads", 5)
      .manual(1);
}

void part_b(workbook::Exercise& ex) {
  auto& b1 = ex.part("b1", 2, R"(Implement layer3_attention_input. The checks first compare the unperturbed read with
the plain-loop encoder, then differentiate your function with respect to the embedding x_0, under both wirings and
both route settings.)");
  b1.check("forward", CheckKind::close,
           "x_2 without perturbation, residual and pipeline, against the plain-loop encoder",
           [](const Context& ctx) {
             const auto m = seeded_model(ctx, "jacobian");
             const Tensor3 none = xt::zeros<double>({std::size_t(1), n, d});
             xt::xarray<double> got = xt::zeros<double>({std::size_t(2), n, d}), want = got;
             for (auto wiring : {Wiring::residual, Wiring::pipeline}) {
               const std::size_t w = wiring == Wiring::residual ? 0 : 1;
               xt::view(got, w) = xt::view(ch10_17::layer3_attention_input(m.x0, m.layers, wiring, Point::embedding,
                                                                             Routes::all, none), 0);
               xt::view(want, w) = oracle_read(m.x0, m.layers, wiring, Point::embedding, Routes::all, xt::zeros<double>({n, d}));
             }
             return workbook::close(got, want, workbook::tolerance::double_computation);
           });
  jacobian_checks(b1, Point::embedding, "x_0");
  ex.part("b2", 1, R"(Can layer 3's attention read the embedding x_0 itself, unchanged by the layers in between? And
in the pipeline? Explain with the expression of (a) and the Jacobians above.)")
      .choice_answer("b_residual", "with the residual stream, does x_0 reach x_2 unchanged as one of its terms?", {"yes", "no"}, "yes")
      .choice_answer("b_pipeline", "in the pipeline, does x_0 reach x_2 unchanged?", {"yes", "no"}, "no")
      .manual(1);
}

void part_c(workbook::Exercise& ex) {
  auto& c1 = ex.part("c1", 2, R"(The same Jacobians with respect to what layer 1's FFN writes (the perturbation added
at after_ffn_1).)");
  jacobian_checks(c1, Point::after_ffn_1, "layer 1's FFN output");
  ex.part("c2", 1, R"(Does layer 3 see what layer 1's FFN produced, without anything in between? And in the pipeline? Explain.)")
      .choice_answer("c_residual", "with the residual stream, does F_1's output reach x_2 unchanged?", {"yes", "no"}, "yes")
      .choice_answer("c_pipeline", "in the pipeline, does F_1's output reach x_2 unchanged?", {"yes", "no"}, "no")
      .manual(1);
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 1, R"(What does a model gain from layers that all share one stream, compared with layers that only
hand their output to the next? Count, in the computation graph of the 3-layer residual encoder, the distinct paths from x_0 to
x_3 (at each of the six sub-layers a path either passes through it or takes the residual connection beside it),
and the same count for the pipeline.)")
      .integer_answer("d_paths", "paths from x_0 to x_3 in the residual encoder", 64)
      .integer_answer("d_pipeline_paths", "paths from x_0 to x_3 in the pipeline", 1)
      .manual(2);
}

void plots(workbook::Exercise& ex) {
  ex.plot("jacobian-blocks", "Norms of the 3 x 3 position blocks of d x_2 / d(layer 1's FFN output) from your "
          "layer3_attention_input on the seeded model, all routes open; left three columns: the residual encoder, right "
          "three: the pipeline",
          [](const Context& ctx) {
            const auto m = seeded_model(ctx, "jacobian");
            Matrix z = xt::zeros<double>({n, 2 * n});
            for (std::size_t k = 0; k < 2; ++k) {
              const auto j = student_jacobian(m, k == 0 ? Wiring::residual : Wiring::pipeline, Point::after_ffn_1, Routes::all);
              for (std::size_t i = 0; i < n; ++i)
                for (std::size_t p = 0; p < n; ++p) {
                  double sum = 0;
                  for (std::size_t a = 0; a < d; ++a)
                    for (std::size_t b = 0; b < d; ++b) sum += j(i * d + a, p * d + b) * j(i * d + a, p * d + b);
                  z(i, k * n + p) = std::round(std::sqrt(sum) * 1e6) / 1e6;  // finite differences: keep 6 decimals
                }
            }
            return workbook::heatmap("|| d x_2[i] / d F_1[j] ||_F, residual (j = 0..2) and pipeline (j = 3..5)",
                                     "j (position written by layer 1's FFN)", "i (position read by layer 3)",
                                     "Frobenius norm", z);
          });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "The residual stream: what layer 3 can read";
  ex.stars = 2;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(Elhage et al. (2021) describe a transformer as a shared channel, the residual stream, that every
sub-layer reads from (through its LayerNorm) and adds its output back into. Take a 3-layer pre-LN encoder with the
layers described in the interface: u_l = x_{l-1} + A_l(x_{l-1}) and x_l = u_l + F_l(u_l), starting from the
embedding x_0. Write out the stream, then check by differentiating your own code which earlier signals reach
layer 3 unchanged, with the residual connections and without them. Compute in double: the checks differentiate
your functions numerically with steps of 1e-6.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  plots(ex);
}
