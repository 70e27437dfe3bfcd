#pragma once
// Proofs by computation: a relation checked on random inputs with RapidCheck. RapidCheck shrinks a
// failing input to a minimal counterexample; the seed comes from the run's context, so `--seed N`
// reproduces any failure exactly.

#include <cstdint>
#include <exception>
#include <optional>
#include <string>

#include <rapidcheck.h>

#include "workbook/check.hpp"

namespace workbook {

struct PropertyBudget {
  int cases = 100;     // successful random cases needed to pass
  int max_size = 100;  // RapidCheck's size parameter: bounds generated lengths and magnitudes
};

namespace detail {
CheckResult to_check_result(const rc::detail::TestResult& result, std::uint64_t seed);

// The run's seed (`--seed N`), which is what reproduces a failing property: the property's own seed is
// derived from it and a stream name. The runner sets it for the exercise it runs.
class RunSeedScope {
 public:
  explicit RunSeedScope(std::uint64_t run_seed);
  ~RunSeedScope();

 private:
  std::optional<std::uint64_t> previous_;
};
// RapidCheck's default listener reads its global configuration (which prints it to stderr) and reports
// to the terminal; the report here is ours, so the listener does nothing.
rc::detail::TestListener& silent_listener();
}

// What a property's cases may throw that is not a counterexample but a fact about the solution (not
// implemented, out of memory, its process gone, it threw): kept and rethrown after RapidCheck is done, so the
// check reports that, not a "falsified" case. Returns true when `error` is of that kind.
bool is_solution_error(const std::exception_ptr& error);

template <class Testable>
CheckResult property(std::uint64_t seed, Testable&& testable, PropertyBudget budget = {}) {
  std::exception_ptr solution_error;
  auto guarded = [&] {
    try {
      testable();
    } catch (...) {
      auto error = std::current_exception();
      if (!solution_error && is_solution_error(error)) solution_error = error;
      throw;
    }
  };
  rc::detail::TestParams params;
  params.seed = seed;
  params.maxSuccess = budget.cases;
  params.maxSize = budget.max_size;
  // The overload with an explicit (empty) reproduce map: the others read RapidCheck's global
  // configuration, which prints itself to stderr and draws its own seed.
  const auto result = rc::detail::checkProperty(rc::detail::toProperty(guarded),
                                                rc::detail::TestMetadata{}, params, detail::silent_listener(),
                                                {});
  if (solution_error) std::rethrow_exception(solution_error);
  return detail::to_check_result(result, seed);
}

}  // namespace workbook
