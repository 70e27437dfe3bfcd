// arch13/11: the sinusoidal encoding as a heatmap, and its frequencies measured. The student writes the table and a
// function that reads each dimension pair's wavelength off a table. Expected values: the encoding written
// coordinate by coordinate (workbook/oracle/positional.hpp); the wavelength's closed form 2 pi b^(2i/d) for a table
// of base b, at the usual base 10000 and at base 100 (so that a function that assumes the base, instead of reading
// the table, fails); the pen-and-paper numbers are closed forms at d = 512.

#include "arch13/11/interface.hpp"

#include <cmath>
#include <numbers>

#include <xtensor/xadapt.hpp>

#include "workbook/exercise.hpp"
#include "workbook/oracle/positional.hpp"

namespace {

using workbook::CheckKind;
using workbook::Context;
using workbook::Precision;

// Float's rounding of angles up to 60 radians (60 x 6e-8), with room: the table's entries within 2e-5.
constexpr workbook::Tolerance table_tolerance{0, 2e-5};
// A wavelength read in float: the angle a slow pair turns across the table, rounded at 1e-7 of a few hundredths of
// a radian, is good to about 1e-5 relative; 1e-4 leaves room.
constexpr workbook::Tolerance wavelength_tolerance{1e-4, 0};

double wavelength(std::size_t pair, std::size_t d, double base) {
  return 2 * std::numbers::pi / workbook::oracle::pair_frequency(pair, d, base);
}

workbook::CheckResult table_matches(std::size_t n, std::size_t d) {
  const auto table = arch13_11::sinusoidal_table(n, d);
  workbook::require_shape("sinusoidal_table", table, {n, d});
  return workbook::close(xt::xarray<double>(table), workbook::oracle::sinusoidal_table(0, n, d, 10000),
                         table_tolerance);
}

// The student's wavelengths of the oracle's table of 200 positions and d = 32 at `base`, against 2 pi base^(2i/d).
workbook::CheckResult wavelengths_match(double base) {
  constexpr std::size_t n = 200, d = 32;
  const auto measured = arch13_11::pair_wavelengths(workbook::oracle::sinusoidal_table(0, n, d, base));
  workbook::require_shape("pair_wavelengths", std::vector<std::size_t>{measured.size()}, {d / 2});
  xt::xarray<double> expected = xt::zeros<double>({d / 2});
  for (std::size_t i = 0; i < d / 2; ++i) expected(i) = wavelength(i, d, base);
  return workbook::close(xt::adapt(measured, {measured.size()}), expected, wavelength_tolerance);
}

// How many pairs of a d = 512 encoding take more than 1000 positions to come round.
std::int64_t pairs_longer_than_1000() {
  std::int64_t count = 0;
  for (std::size_t i = 0; i < 256; ++i) count += wavelength(i, 512, 10000) > 1000;
  return count;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "The frequencies of the sinusoidal encoding";
  ex.stars = 2;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::numeric, workbook::Tag::plot};
  ex.statement = R"(The sinusoidal encoding gives each pair of dimensions its own frequency: pair i turns by
w_i = 10000^(-2i/d) radians per position, so the first pair comes round every 2 pi positions and the last one only
after tens of thousands. Part (a) asks for the table, part (b) for a function that measures each pair's wavelength
from a table, and part (c) for the numbers at d = 512. Figure `heatmap` draws your table.)";
  ex.part("a", 2, R"(Implement sinusoidal_table as the interface states. The checks compare with the encoding written
coordinate by coordinate, within 2e-5 (room for float).)")
      .check("n=50, d=16", CheckKind::close, "50 positions in 16 dimensions against the encoding's definition",
             [](const Context&) { return table_matches(50, 16); })
      .check("any shape", CheckKind::property, "for random lengths up to 60 and even d up to 64, against the definition",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a-property"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(1, 61);
                 const auto d = 2 * *rc::gen::inRange<std::size_t>(1, 33);
                 RC_ASSERT(table_matches(n, d).status == workbook::Status::pass);
               });
             });
  ex.part("b", 3, R"(Implement pair_wavelengths: from a table's rows, measure how far each (sin, cos) pair turns from
one position to the next, and turn that into the number of positions one full turn takes. The checks give it tables
of 200 positions and d = 32 built with base 10000 and with base 100, and compare with each pair's wavelength,
2 pi base^(2i/d), within 1e-4 relative.)")
      .check("base 10000", CheckKind::close, "the 16 wavelengths of the usual encoding's table",
             [](const Context&) { return wavelengths_match(10000); })
      .check("base 100", CheckKind::close, "the 16 wavelengths of a table built with base 100",
             [](const Context&) { return wavelengths_match(100); })
      .hint("atan2(sin, cos) gives a pair's angle; the difference between consecutive rows may jump by 2 pi where the "
            "angle wraps round, so bring each step back into (-pi, pi].");
  ex.part("c", 2, R"(For d = 512: the shortest and the longest wavelength, in positions (4 significant figures), and how
many of the 256 pairs take more than 1000 positions to come round (exact integer). What do the fast and the slow
pairs each tell the model about a position?)")
      .number_answer("c_shortest", "the shortest wavelength at d = 512", [] { return wavelength(0, 512, 10000); },
                     Precision::significant_figures(4), "positions")
      .number_answer("c_longest", "the longest wavelength at d = 512", [] { return wavelength(255, 512, 10000); },
                     Precision::significant_figures(4), "positions")
      .integer_answer("c_slow_pairs", "pairs with a wavelength above 1000 positions", pairs_longer_than_1000())
      .manual(1);
  ex.plot("heatmap", "Your sinusoidal_table for 100 positions in 64 dimensions: rows are positions, columns dimensions.",
          [](const Context&) {
            return workbook::heatmap("The sinusoidal encoding", "dimension", "position", "value",
                                     arch13_11::sinusoidal_table(100, 64));
          });
}
