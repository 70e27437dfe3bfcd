#pragma once
// Proofs by computation: a relation checked on random inputs with RapidCheck. RapidCheck shrinks a
// failing input to a minimal counterexample; the seed comes from the run's context, so `--seed N`
// reproduces any failure exactly.

#include <cstdint>
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
// RapidCheck's default listener reads its global configuration (which prints it to stderr) and reports
// to the terminal; the report here is ours, so the listener does nothing.
rc::detail::TestListener& silent_listener();
}

template <class Testable>
CheckResult property(std::uint64_t seed, Testable&& testable, PropertyBudget budget = {}) {
  rc::detail::TestParams params;
  params.seed = seed;
  params.maxSuccess = budget.cases;
  params.maxSize = budget.max_size;
  // The overload with an explicit (empty) reproduce map: the others read RapidCheck's global
  // configuration, which prints itself to stderr and draws its own seed.
  const auto result = rc::detail::checkProperty(rc::detail::toProperty(std::forward<Testable>(testable)),
                                                rc::detail::TestMetadata{}, params, detail::silent_listener(),
                                                {});
  return detail::to_check_result(result, seed);
}

}  // namespace workbook
