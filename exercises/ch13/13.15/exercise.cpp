// 13.15: sinusoidal position encoding for d_model = 4, by hand. The oracle is
// workbook::oracle::sinusoidal_position (pairs interleaved: dimension 2i holds sin(pos w_i), 2i + 1 holds
// cos(pos w_i), w_i = 10000^(-2i/d_model)), evaluated at positions 0 and 1.

#include "workbook/exercise.hpp"
#include "workbook/oracle/positional.hpp"

namespace {

using workbook::Precision;
constexpr std::size_t d_model = 4;
constexpr double length_scale = 10000;

// Entries [dims] of positions 0 and 1, one row per position.
xt::xarray<double> encoding(std::size_t first_dim, std::size_t count) {
  xt::xarray<double> out = xt::zeros<double>({std::size_t(2), count});
  for (std::size_t pos = 0; pos < 2; ++pos) {
    const auto pe = workbook::oracle::sinusoidal_position(double(pos), d_model, length_scale);
    for (std::size_t c = 0; c < count; ++c) out(pos, c) = pe(first_dim + c);
  }
  return out;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Sinusoidal positional encoding for d_model = 4";
  ex.tags = {workbook::Tag::numeric};
  ex.statement = R"(Take the sinusoidal positional encoding of the original transformer with d_model = 4.
PE(pos, j) is entry j (j = 0 .. 3) of the code for position pos. The dimensions come in pairs i = 0, 1 with the
frequency w_i = 1 / 10000^(2i / d_model): dimension 2i holds sin(pos · w_i) and dimension 2i + 1 holds
cos(pos · w_i), sine and cosine of one pair side by side (interleaved; some code bases put all sines first, which
changes the answers). Angles are in radians.)";

  ex.part("a", 2, "Compute PE(0, 0), PE(0, 1), PE(1, 0) and PE(1, 1), to 4 decimal places.")
      .array_answer("a", "[[PE(0,0), PE(0,1)], [PE(1,0), PE(1,1)]]", {2, 2}, [] { return encoding(0, 2); },
                    Precision::decimal_places(4))
      .hint("Both entries belong to pair i = 0, whose frequency is 10000^0.");
  ex.part("b", 1, R"(Complete the two codes with dimensions 2 and 3 (pair i = 1), to 6 decimal places. Which pair
tells position 0 from position 1 more clearly?)")
      .array_answer("b", "[[PE(0,2), PE(0,3)], [PE(1,2), PE(1,3)]]", {2, 2}, [] { return encoding(2, 2); },
                    Precision::decimal_places(6))
      .choice_answer("b_clearer", "the pair whose entries change more from position 0 to 1", {"i = 0", "i = 1"}, "i = 0");
}
