// Plot data as CSV and gnuplot script, histograms, and rendering (figures when gnuplot is present).

#define BOOST_TEST_MODULE plots
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "workbook/plots/render.hpp"

using namespace workbook;

namespace {
Plot two_lines() {
  Plot p;
  p.title = "It's a test";
  p.xlabel = "x";
  p.ylabel = "y";
  p.series = {{"up, and \"quoted\"", {0, 1}, {0, 1}}, {"down", {0, 1}, {1, 0}}};
  return p;
}
}  // namespace

BOOST_AUTO_TEST_CASE(csv_is_long_form_with_quoted_labels) {
  BOOST_TEST(plots::to_csv(two_lines()) == "series,x,y\n\"up, and \"\"quoted\"\"\",0,0\n\"up, and \"\"quoted\"\"\",1,1\ndown,0,1\ndown,1,0\n");
}

BOOST_AUTO_TEST_CASE(a_measured_figure_says_so_in_its_first_line) {
  auto plot = two_lines();
  plot.measured = true;
  BOOST_TEST(plots::to_csv(plot) == std::string(plots::measured_marker) + "\n" + plots::to_csv(two_lines()));
}

BOOST_AUTO_TEST_CASE(gnuplot_script_holds_labels_and_data) {
  const auto gp = plots::to_gnuplot(two_lines());
  BOOST_TEST(gp.find("set title 'It''s a test'") != std::string::npos, gp);
  BOOST_TEST(gp.find("set xlabel 'x'") != std::string::npos);
  BOOST_TEST(gp.find("title 'down'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_key_goes_to_a_corner_free_of_data) {
  BOOST_TEST(plots::to_gnuplot(two_lines()).find("set key inside top right") != std::string::npos);  // a tie
  Plot rising = two_lines();
  rising.series = {{"rising", {0, 1, 2}, {0, 0, 1}}};  // a point in the top right corner, none in the top left
  BOOST_TEST(plots::to_gnuplot(rising).find("set key inside top left") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(histogram_is_a_density) {
  const auto h = histogram("h", {0.1, 0.2, 0.6, 5.0}, 2, 0.0, 1.0);  // 5.0 is outside and not drawn
  BOOST_TEST(h.x == (std::vector<double>{0.25, 0.75}), boost::test_tools::per_element());
  BOOST_TEST(h.y == (std::vector<double>{1.0, 0.5}), boost::test_tools::per_element());  // 2/(4*0.5), 1/(4*0.5)
}

BOOST_AUTO_TEST_CASE(render_writes_csv_and_figures) {
  const auto dir = std::filesystem::temp_directory_path() / "workbook-test-plots";
  std::filesystem::remove_all(dir);
  const auto rendered = plots::render(two_lines(), dir / "two", {"svg", "png"});
  BOOST_TEST(std::filesystem::exists(dir / "two.csv"));
  if (plots::gnuplot_available()) {
    BOOST_TEST(rendered.error == "", rendered.error);
    BOOST_TEST(std::filesystem::file_size(dir / "two.svg") > 1000u);
    BOOST_TEST(std::filesystem::file_size(dir / "two.png") > 1000u);
  } else {
    BOOST_TEST(rendered.error.find("gnuplot is not installed") != std::string::npos);
  }
}
