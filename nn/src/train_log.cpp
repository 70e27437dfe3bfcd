#include "nn/train_log.hpp"

#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace nn {

// ---- progress bar -----------------------------------------------------------------------------------

std::string progress_line(std::size_t step, std::size_t total_steps, double loss, double tokens_per_second,
                          double elapsed_seconds) {
  std::ostringstream line;
  line << std::fixed << "step " << step << "/" << total_steps << " | loss " << std::setprecision(4) << loss
       << " | " << std::setprecision(0) << tokens_per_second << " tok/s | " << std::setprecision(1)
       << elapsed_seconds << " s";
  return line.str();
}

ProgressBar::ProgressBar(std::ostream& out, std::size_t total_steps)
    : out_(out), total_steps_(total_steps), start_(std::chrono::steady_clock::now()) {}

void ProgressBar::update(std::size_t step, double loss, double tokens_per_second) {
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
  std::string line = progress_line(step, total_steps_, loss, tokens_per_second, elapsed.count());
  const std::size_t width = line.size();
  if (width < last_width_) line.append(last_width_ - width, ' ');
  last_width_ = width;
  out_ << '\r' << line << std::flush;
}

void ProgressBar::finish() { out_ << '\n' << std::flush; }

// ---- loss log ---------------------------------------------------------------------------------------

namespace {
const char* split_name(LossLog::Split split) { return split == LossLog::Split::train ? "train" : "val"; }
}  // namespace

std::string LossLog::csv() const {
  std::ostringstream out;
  out << std::setprecision(10) << "step,split,loss\n";
  for (const auto& e : entries_) out << e.step << "," << split_name(e.split) << "," << e.loss << "\n";
  return out.str();
}

void LossLog::write_csv(const std::filesystem::path& path) const {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path);
  out << csv();
  if (!out) throw std::runtime_error("LossLog: cannot write " + path.string());
}

workbook::Series LossLog::series(Split split, workbook::Series::Style style) const {
  workbook::Series s{split_name(split), {}, {}, style};
  for (const auto& e : entries_)
    if (e.split == split) {
      s.x.push_back(double(e.step));
      s.y.push_back(e.loss);
    }
  return s;
}

workbook::Plot LossLog::plot(const std::string& title) const {
  workbook::Plot plot;
  plot.title = title;
  plot.xlabel = "step";
  plot.ylabel = "loss";
  // validation is evaluated less often: points make its sparse samples visible
  plot.series = {series(Split::train, workbook::Series::Style::lines),
                 series(Split::val, workbook::Series::Style::linespoints)};
  return plot;
}

workbook::plots::Rendered LossLog::render(const std::filesystem::path& stem, const std::string& title) const {
  return workbook::plots::render(plot(title), stem, {"svg", "png"});
}

}  // namespace nn
