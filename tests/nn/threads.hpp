#pragma once
// Sets the library's thread count (nn/parallel.hpp) for one scope, whatever OMP_NUM_THREADS says.
#include <omp.h>

namespace nn_test {

class LibraryThreads {
 public:
  explicit LibraryThreads(int threads) : saved_(omp_get_max_threads()) { omp_set_num_threads(threads); }
  ~LibraryThreads() { omp_set_num_threads(saved_); }
  LibraryThreads(const LibraryThreads&) = delete;
  LibraryThreads& operator=(const LibraryThreads&) = delete;

 private:
  int saved_;
};

}  // namespace nn_test
