#pragma once
// What a training run shows while it runs (a one-line progress bar) and what it leaves behind (the loss
// curves as CSV and as a figure drawn by plots/).
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "workbook/plot.hpp"
#include "workbook/plots/render.hpp"

namespace nn {

// "step 12/100 | loss 2.3457 | 15300 tok/s | 4.2 s"
std::string progress_line(std::size_t step, std::size_t total_steps, double loss, double tokens_per_second,
                          double elapsed_seconds);

// One terminal line rewritten in place ('\r') at each update; finish() ends it with a newline so that
// later output starts on a fresh line. Elapsed time counts from construction.
class ProgressBar {
 public:
  ProgressBar(std::ostream& out, std::size_t total_steps);

  // step = steps completed so far (1 .. total_steps).
  void update(std::size_t step, double loss, double tokens_per_second);
  void finish();

 private:
  std::ostream& out_;
  std::size_t total_steps_;
  std::chrono::steady_clock::time_point start_;
  std::size_t last_width_ = 0;  // a shorter line is padded with spaces to cover the previous one
};

// Train and validation losses by step, in the order recorded.
class LossLog {
 public:
  enum class Split { train, val };
  struct Entry {
    std::size_t step;
    Split split;
    double loss;
  };

  void record_train(std::size_t step, double loss) { entries_.push_back({step, Split::train, loss}); }
  void record_val(std::size_t step, double loss) { entries_.push_back({step, Split::val, loss}); }
  const std::vector<Entry>& entries() const { return entries_; }

  // "step,split,loss" then one row per entry, split being "train" or "val".
  std::string csv() const;
  void write_csv(const std::filesystem::path& path) const;

  // Two line series, "train" and "val", loss against step.
  workbook::Plot plot(const std::string& title) const;
  // stem.svg and stem.png (and plots/' own stem.csv and stem.gp: write the log's CSV under another name).
  workbook::plots::Rendered render(const std::filesystem::path& stem, const std::string& title) const;

 private:
  workbook::Series series(Split split, workbook::Series::Style style) const;

  std::vector<Entry> entries_;
};

}  // namespace nn
