// The progress line, the loss CSV and the loss figure.
#define BOOST_TEST_MODULE nn_train_log
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "nn/train_log.hpp"

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fresh directory per test, removed afterwards.
struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("nn_train_log_" + std::to_string(std::random_device{}()));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
};

nn::LossLog example_log() {
  nn::LossLog log;
  log.record_train(0, 4.5);
  log.record_train(10, 3.25);
  log.record_val(10, 3.5);
  log.record_train(20, 2.125);
  return log;
}

}  // namespace

// ---- progress ---------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(progress_line_shows_the_numbers) {
  const auto line = nn::progress_line(12, 100, 2.34567, 15300.4, 4.26);
  BOOST_TEST(line == "step 12/100 | loss 2.3457 | 15300 tok/s | 4.3 s");
  BOOST_TEST(!contains(line, "2.3456 "));  // rounded, not truncated: the exact comparison sees the difference
}

BOOST_AUTO_TEST_CASE(bar_rewrites_one_line_and_ends_it) {
  std::ostringstream out;
  nn::ProgressBar bar(out, 50);
  bar.update(1, 10.0, 1000.0);
  bar.update(2, 9.5, 2000.0);
  const std::string running = out.str();
  BOOST_TEST(running.find('\n') == std::string::npos);
  BOOST_TEST(std::count(running.begin(), running.end(), '\r') == 2);
  const std::string last = running.substr(running.rfind('\r') + 1);
  BOOST_TEST(contains(last, "step 2/50"));
  BOOST_TEST(contains(last, "loss 9.5000"));
  BOOST_TEST(contains(last, "2000 tok/s"));
  BOOST_TEST(contains(last, " s"));
  bar.finish();
  BOOST_TEST(out.str().back() == '\n');
}

BOOST_AUTO_TEST_CASE(a_shorter_line_covers_the_longer_one) {
  std::ostringstream out;
  nn::ProgressBar bar(out, 1000);
  bar.update(999, 123.0, 1e9);
  const std::size_t first_width = out.str().size() - 1;  // without the '\r'
  bar.update(1000, 1.0, 1.0);
  const std::string second = out.str().substr(first_width + 1);
  BOOST_TEST(second.size() == first_width + 1);  // '\r' + padded line
}

// ---- loss log ---------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(csv_lists_entries_in_recorded_order) {
  const std::string expected = "step,split,loss\n0,train,4.5\n10,train,3.25\n10,val,3.5\n20,train,2.125\n";
  BOOST_TEST(example_log().csv() == expected);
  TempDir dir;
  example_log().write_csv(dir.path / "sub" / "loss.csv");
  BOOST_TEST(slurp(dir.path / "sub" / "loss.csv") == expected);
  auto other = example_log();
  other.record_val(20, 3.0);
  BOOST_TEST(other.csv() != expected);
}

BOOST_AUTO_TEST_CASE(plot_has_a_train_and_a_val_series) {
  const auto plot = example_log().plot("run");
  BOOST_TEST(plot.title == "run");
  BOOST_TEST_REQUIRE(plot.series.size() == 2u);
  BOOST_TEST(plot.series[0].label == "train");
  BOOST_TEST(plot.series[0].x == std::vector<double>({0, 10, 20}));
  BOOST_TEST(plot.series[0].y == std::vector<double>({4.5, 3.25, 2.125}));
  BOOST_TEST(plot.series[1].label == "val");
  BOOST_TEST(plot.series[1].x == std::vector<double>({10}));
  BOOST_TEST(plot.series[1].y == std::vector<double>({3.5}));
}

BOOST_AUTO_TEST_CASE(render_writes_the_figures) {
  TempDir dir;
  const auto stem = dir.path / "loss";
  const auto rendered = example_log().render(stem, "run");
  BOOST_TEST(std::filesystem::exists(dir.path / "loss.gp"));
  if (!workbook::plots::gnuplot_available()) {
    BOOST_TEST_MESSAGE("gnuplot not installed: figures not checked");
    BOOST_TEST(!rendered.error.empty());
    return;
  }
  BOOST_TEST(rendered.error.empty(), rendered.error);
  for (const char* ext : {"svg", "png"}) {
    const auto figure = dir.path / (std::string("loss.") + ext);
    BOOST_TEST(std::filesystem::exists(figure), figure);
    BOOST_TEST((std::filesystem::exists(figure) && std::filesystem::file_size(figure) > 0), figure);
  }
}
