// The program a solution is linked into (the reference, a mutant, a student's file): it answers the
// checks' calls on file descriptors 3 (requests in) and 4 (replies out). See workbook/remote/channel.hpp.

#include <csignal>

#include "workbook/remote/server.hpp"

extern "C" void openblas_set_num_threads(int threads);

int main() {
  openblas_set_num_threads(1);  // one solution process per exercise, several at once: no BLAS threads
  std::signal(SIGPIPE, SIG_IGN);  // the checks may stop listening; that is an ordinary end
  return workbook::remote::serve(3, 4);
}
