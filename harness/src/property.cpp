#include "workbook/property.hpp"

#include <new>
#include <optional>
#include <sstream>

#include "workbook/remote/channel.hpp"

namespace workbook::detail {

namespace {
// RapidCheck's descriptions span several lines; a report message is one.
std::string one_line(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}
}  // namespace

rc::detail::TestListener& silent_listener() {
  struct Silent : rc::detail::TestListener {
    void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
    void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
    void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
  };
  static Silent listener;
  return listener;
}

namespace {
thread_local std::optional<std::uint64_t> run_seed;
}  // namespace

RunSeedScope::RunSeedScope(std::uint64_t seed) : previous_(run_seed) { run_seed = seed; }
RunSeedScope::~RunSeedScope() { run_seed = previous_; }

CheckResult to_check_result(const rc::detail::TestResult& result, std::uint64_t seed) {
  CheckResult check;
  check.expected = "holds for every case";
  const std::string rerun = run_seed ? "reproduce with --seed " + std::to_string(*run_seed)
                                         : "property seed " + std::to_string(seed);
  rc::detail::SuccessResult success;
  rc::detail::FailureResult failure;
  rc::detail::GaveUpResult gave_up;
  rc::detail::Error error;
  if (result.match(success)) {
    check.actual = std::to_string(success.numSuccess) + " random cases hold";
    check.message = "property seed " + std::to_string(seed);
  } else if (result.match(failure)) {
    std::ostringstream msg;
    msg << "falsified after " << failure.numSuccess << " passing cases; minimal counterexample:";
    for (const auto& [type, value] : failure.counterExample) msg << " " << value << ";";
    msg << " " << one_line(failure.description) << " (" << rerun << ")";
    check.status = Status::fail;
    check.actual = "counterexample found";
    check.message = msg.str();
  } else if (result.match(gave_up)) {
    check.status = Status::error;
    check.actual = "gave up";
    check.message = "too many discarded cases after " + std::to_string(gave_up.numSuccess) +
                    " passing ones: " + gave_up.description + " (" + rerun + ")";
  } else if (result.match(error)) {
    check.status = Status::error;
    check.actual = "error";
    check.message = error.description + " (" + rerun + ")";
  }
  return check;
}

}  // namespace workbook::detail

namespace workbook {

bool is_solution_error(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const NotImplemented&) {
    return true;
  } catch (const std::bad_alloc&) {
    return true;
  } catch (const remote::ImplementationLost&) {
    return true;
  } catch (const remote::SolutionError&) {
    return true;
  } catch (const wire::WireError&) {
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace workbook
