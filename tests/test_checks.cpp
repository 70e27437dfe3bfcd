// Each kind of check passes a right answer and fails a wrong one, with a message that says why.

#define BOOST_TEST_MODULE checks
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "workbook/check.hpp"
#include "workbook/property.hpp"

using namespace workbook;

BOOST_AUTO_TEST_SUITE(close_check)

BOOST_AUTO_TEST_CASE(passes_within_the_asymmetric_rule) {
  // allowed = atol + rtol * |expected| = 1e-9 + 1e-6 * 1000 ~ 1e-3
  BOOST_TEST(close(1000.0009, 1000.0).status == Status::pass);
  BOOST_TEST(close(1000.0011, 1000.0).status == Status::fail);
  // asymmetric: the tolerance scales with |expected|, not |actual|
  BOOST_TEST(close(0.0, 1.0, {0.5, 0}).status == Status::fail);
  BOOST_TEST(close(1.0, 2.0, {0.5, 0}).status == Status::pass);
  BOOST_TEST(close(2.0, 1.0, {0.5, 0}).status == Status::fail);
}

BOOST_AUTO_TEST_CASE(names_the_worst_element) {
  const xt::xarray<double> expected = {{1.0, 2.0}, {3.0, 4.0}};
  const xt::xarray<double> actual = {{1.0, 2.1}, {3.0, 5.0}};
  const auto r = close(actual, expected);
  BOOST_TEST(r.status == Status::fail);
  BOOST_TEST(r.message.find("2 of 4 elements") != std::string::npos, r.message);
  BOOST_TEST(r.message.find("worst at [1, 1]") != std::string::npos, r.message);
  BOOST_TEST(r.message.find("actual 5, expected 4") != std::string::npos, r.message);
  BOOST_TEST(r.message.find("abs error 1") != std::string::npos, r.message);
  BOOST_TEST(r.message.find("rel error 0.25") != std::string::npos, r.message);
  BOOST_TEST(r.message.find("rtol 1e-06") != std::string::npos, r.message);
  BOOST_TEST(r.actual.dump() == "[[1.0,2.1],[3.0,5.0]]");
}

BOOST_AUTO_TEST_CASE(shape_mismatch_fails) {
  const auto r = close(xt::xarray<double>{1.0, 2.0, 3.0}, xt::xarray<double>{{1.0, 2.0, 3.0}});
  BOOST_TEST(r.status == Status::fail);
  BOOST_TEST(r.message == "shape (3,) where (1, 3) was expected");
}

BOOST_AUTO_TEST_CASE(nan_fails_unless_allowed) {
  const double nan = std::nan("");
  BOOST_TEST(close(nan, 1.0).status == Status::fail);
  BOOST_TEST(close(nan, nan).status == Status::fail);
  BOOST_TEST(close(nan, nan, {1e-6, 1e-9, true}).status == Status::pass);
  BOOST_TEST(close(nan, 1.0, {1e-6, 1e-9, true}).status == Status::fail);
  BOOST_TEST(close(nan, 1.0).message.find("NaN is not allowed") != std::string::npos);
  BOOST_TEST(close(nan, 1.0).actual == "nan");
}

BOOST_AUTO_TEST_CASE(infinities_match_only_themselves) {
  BOOST_TEST(close(INFINITY, INFINITY).status == Status::pass);
  BOOST_TEST(close(INFINITY, -INFINITY).status == Status::fail);
  BOOST_TEST(close(1e308, INFINITY).status == Status::fail);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(equal_check_fails_on_any_difference) {
  BOOST_TEST(equal(std::int64_t{4}, std::int64_t{4}).status == Status::pass);
  BOOST_TEST(equal(std::int64_t{4}, std::int64_t{5}).status == Status::fail);
  BOOST_TEST(equal(std::string("self-attention"), std::string("cross-attention")).status == Status::fail);
  const auto r = equal(std::vector<std::int64_t>{1, 2, 3}, std::vector<std::int64_t>{1, 2, 4});
  BOOST_TEST(r.status == Status::fail);
  BOOST_TEST(r.message == "first difference at [2]: got 3, expected 4");
}

BOOST_AUTO_TEST_CASE(holds_check_reports_what_was_found) {
  BOOST_TEST(holds(true, 0.3, "residual too small").status == Status::pass);
  const auto r = holds(false, 1e-20, "residual too small");
  BOOST_TEST(r.status == Status::fail);
  BOOST_TEST(r.message == "residual too small");
}

BOOST_AUTO_TEST_SUITE(property_check)

BOOST_AUTO_TEST_CASE(a_true_property_passes) {
  const auto r = property(7, [] {
    const int a = *rc::gen::arbitrary<int>();
    const int b = *rc::gen::arbitrary<int>();
    RC_ASSERT(a + b == b + a);
  });
  BOOST_TEST(r.status == Status::pass);
  BOOST_TEST(r.actual == "100 random cases hold");
}

BOOST_AUTO_TEST_CASE(a_false_property_fails_with_a_shrunk_counterexample_and_its_seed) {
  const detail::RunSeedScope run_seed(7);  // what the runner sets for the exercise it runs
  const auto r = property(7, [] { RC_ASSERT(*rc::gen::arbitrary<int>() < 10); });
  BOOST_TEST(r.status == Status::fail);
  // Shrinking finds the smallest failing input, 10.
  BOOST_TEST(r.message.find("counterexample: 10;") != std::string::npos, r.message);
  BOOST_TEST(r.message.find("--seed 7") != std::string::npos, r.message);
}

BOOST_AUTO_TEST_CASE(the_same_seed_reproduces_the_same_cases) {
  std::vector<int> first, second;
  property(42, [&] { first.push_back(*rc::gen::arbitrary<int>()); });
  property(42, [&] { second.push_back(*rc::gen::arbitrary<int>()); });
  std::vector<int> other;
  property(43, [&] { other.push_back(*rc::gen::arbitrary<int>()); });
  BOOST_TEST(first == second);
  BOOST_TEST(first != other);
}

BOOST_AUTO_TEST_CASE(an_exception_inside_a_property_is_a_failure) {
  const auto r = property(1, [] { throw std::runtime_error("boom"); });
  BOOST_TEST(r.status == Status::fail);
  BOOST_TEST(r.message.find("boom") != std::string::npos, r.message);
}

BOOST_AUTO_TEST_SUITE_END()
