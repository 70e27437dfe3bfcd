// workbook: runs transformer exercises against their reference solutions, renders their plots and
// writes their catalogue. `workbook --help` lists the subcommands; each has its own --help.

#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>

#include <unistd.h>

#include "commands.hpp"
#include "workbook/blas_kernels.hpp"

// OpenBLAS's own control (we link OpenBLAS directly).
extern "C" void openblas_set_num_threads(int threads);

namespace {

const char* const usage = R"(usage: workbook COMMAND [OPTIONS]

commands:
  list    the exercises: id, stars, title, parts, tags   (--collection C, --tag T, --json)
  show    one exercise: statement, parts, points, what is checked, plots
  run     run an exercise (or --all) against the reference and report every check
  plots   render every plot of every exercise (the docs figure set)
  docs    write the Markdown catalogue of every exercise
  grade   grade a submission directory (each exercise built and run in a sandbox), or --class ROOT
  merge   join the shard files of a class graded in slices into one gradebook
  init    create a submission directory: stub files, an answers.toml template, a README
  hint    our hint for the first part of an exercise that your submission does not pass yet
  status  your progress over the whole workbook: done, failing, not started
  watch   re-check each exercise as you save its file
  dev     for authors: `workbook dev check` validates every exercise folder (see docs/model.md)

`workbook COMMAND --help` describes a command's options.
exit status: 0 ok, 1 a check failed, 2 bad usage or unknown exercise, 3 could not run
)";

// This process waits on a solution's process at every call through the channel. libgomp's idle threads spin
// through such waits by default, taking the core the solution needs: training ch10/10.29's model with the
// solution's attention spent 80 % of this process's time spinning (54 s; 5 s with the threads asleep, under the
// same load). libgomp reads OMP_WAIT_POLICY when it loads, so the program runs itself again with it set, as
// for OpenBLAS's kernels; a user's own setting stands.
void let_idle_threads_sleep(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  setenv("OMP_WAIT_POLICY", "passive", 1);
  workbook::use_fast_blas_kernels(argv);  // runs the program again if it sets OpenBLAS's kernels too
  execv("/proc/self/exe", argv);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace workbook::cli;
  let_idle_threads_sleep(argv);
  workbook::use_fast_blas_kernels(argv);
  // A solution's process, or a pipe reader, may go away at any time: that is an ordinary end to report,
  // never a reason for this program to die.
  std::signal(SIGPIPE, SIG_IGN);
  // Exercises multiply small matrices, where OpenBLAS's threads cost more in hand-offs than they save
  // (a training exercise took 18 s on one thread and 5.4 min on the default two). OPENBLAS_NUM_THREADS
  // still overrides this.
  if (std::getenv("OPENBLAS_NUM_THREADS") == nullptr) openblas_set_num_threads(1);
  const std::map<std::string, int (*)(const Args&)> commands = {
      {"list", list_command}, {"show", show_command}, {"run", run_command},
      {"plots", plots_command}, {"docs", docs_command},
      {"grade", grade_command}, {"merge", merge_command}, {"init", init_command}, {"hint", hint_command}, {"status", status_command},
      {"watch", watch_command}, {"dev", dev_command}};
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" ||
      std::string(argv[1]) == "help") {
    std::cout << usage;
    return argc < 2 ? usage_error : ok;
  }
  const auto command = commands.find(argv[1]);
  if (command == commands.end()) {
    std::cerr << "workbook: unknown command \"" << argv[1] << "\"\n\n" << usage;
    return usage_error;
  }
  try {
    return command->second(Args(argv + 2, argv + argc));
  } catch (const std::exception& error) {
    std::cerr << "workbook " << argv[1] << ": " << error.what() << "\n";
    return run_error;
  }
}
