// The interface reader (what the build generates the channel's bindings from) and the wire format (how a
// value crosses the channel): every rule the reader insists on, and values that arrive bit for bit.

#define BOOST_TEST_MODULE interface_header
#include <boost/test/unit_test.hpp>

#include <limits>

#include "workbook/interface_header.hpp"
#include "workbook/remote/wire.hpp"

using namespace workbook;

namespace {

const char* const sample = R"(#pragma once
// A comment mentioning namespace and struct { that must not confuse the reader.
#include <vector>

namespace ch10_12 {

using Matrix = xt::xtensor<double, 2>;

struct Stats {
  double max;   // the running maximum
  double sum = 0.0;
  Matrix rows{};
};

enum class Mode { fast, slow };

/* The function. */
Stats online_stats(const xt::xtensor<double, 1>& scores,
                   std::size_t block_size = 64);
void step(xt::xarray<double>& param, std::mt19937_64& rng, Mode mode);

inline double helper(double x) { return x * 2; }

}  // namespace ch10_12
)";

}  // namespace

BOOST_AUTO_TEST_CASE(reads_what_the_kit_offers_and_matches_symbols_against_it) {
  const auto header = parse_interface_header(
      "// The kit offers: nn::matmul_nt, nn::Encoder.\nnamespace ch10_99 {\nint f(int x);\n}\n");
  BOOST_TEST(header.problems.empty());
  BOOST_TEST(header.kit_offers == (std::vector<std::string>{"nn::matmul_nt", "nn::Encoder"}),
             boost::test_tools::per_element());
  BOOST_TEST(offered_by_kit("nn::matmul_nt<float>(a, b)", header.kit_offers));
  BOOST_TEST(offered_by_kit("nn::Encoder<float>::forward(x)", header.kit_offers));
  BOOST_TEST(!offered_by_kit("nn::matmul_nt_fast<float>(a, b)", header.kit_offers));  // a longer name is another
  BOOST_TEST(!offered_by_kit("nn::attention_forward<float>(q)", header.kit_offers));
  BOOST_TEST(!offered_by_kit("nn::attention_forward<float>(q)", {}));
  BOOST_TEST(is_nn_symbol("nn::gemm(x)"));
  // The demangler puts a function template's return type first; the called name is what follows it.
  BOOST_TEST(called_name("xt::xtensor_container<xt::uvector<double, std::allocator<double> >, 2ul> "
                         "nn::attention_forward<double>(xt::xtensor_container<double> const&, nn::AttentionMask const&)") ==
             "nn::attention_forward<double>");
  BOOST_TEST(called_name("nn::Encoder<float>::forward(std::vector<int> const&, unsigned long)") ==
             "nn::Encoder<float>::forward");
  BOOST_TEST(called_name("std::vector<nn::Tokens>::size() const") == "std::vector<nn::Tokens>::size");
  BOOST_TEST(called_name("vtable for nn::Thing") == "vtable for nn::Thing");
  BOOST_TEST(!is_nn_symbol("std::vector<nn::Tokens>::size()"));
  const auto bad = parse_interface_header("// The kit offers: attention_forward\nnamespace ch10_99 {\nint f(int x);\n}\n");
  BOOST_TEST(bad.problems.size() == 1u);
}

BOOST_AUTO_TEST_CASE(reads_functions_structs_enums_and_aliases) {
  const auto header = parse_interface_header(sample);
  BOOST_TEST(header.problems.empty());
  BOOST_TEST(header.name_space == "ch10_12");
  BOOST_REQUIRE(header.functions.size() == 2u);  // the inline helper is not the student's to write
  const auto& f = header.functions[0];
  BOOST_TEST(f.name == "online_stats");
  BOOST_TEST(f.return_type == "Stats");
  BOOST_REQUIRE(f.parameters.size() == 2u);
  BOOST_TEST(f.parameters[0].type == "const xt::xtensor<double, 1>&");
  BOOST_TEST(f.parameters[0].name == "scores");
  BOOST_TEST(f.parameters[1].name == "block_size");  // the default argument is dropped
  BOOST_TEST(definition_head(f) == "Stats online_stats(const xt::xtensor<double, 1>& scores, std::size_t block_size)");
  BOOST_REQUIRE(header.structs.size() == 1u);
  BOOST_REQUIRE(header.structs[0].fields.size() == 3u);
  BOOST_TEST(header.structs[0].fields[1].name == "sum");
  BOOST_TEST(header.structs[0].fields[2].name == "rows");
  BOOST_TEST(header.enums.size() == 1u);
  BOOST_TEST(header.aliases.size() == 1u);
  BOOST_TEST(channel_type_problems(header).empty());
}

BOOST_AUTO_TEST_CASE(refuses_what_it_cannot_carry) {
  const auto header = parse_interface_header(R"(namespace x_1 {
int f(int);
int f(double y);
double* g(const std::map<int, int>& m);
struct S { double value; double get() const; };
})");
  BOOST_TEST(header.problems.size() == 3u);  // an unnamed parameter, an overload, a member function
  const auto types = channel_type_problems(header);
  BOOST_TEST(types.size() == 2u);  // a pointer result, a std::map
}

BOOST_AUTO_TEST_CASE(namespace_follows_the_id) {
  BOOST_TEST(interface_namespace("ch10/10.12") == "ch10_12");
  BOOST_TEST(interface_namespace("ch13/13.2") == "ch13_2");
  BOOST_TEST(interface_namespace("topic10/1.8") == "topic10_1_8");
  BOOST_TEST(interface_namespace("manual/3") == "manual_3");
  BOOST_TEST(interface_namespace("arch13/12") == "arch13_12");
}

namespace demo {
struct Inner {
  xt::xtensor<float, 2> weights;
};
struct Outer {
  double scale = 0;
  std::vector<Inner> layers;
  std::string name;
};
}  // namespace demo
template <>
struct workbook::wire::Fields<demo::Inner> {
  static constexpr auto list = std::make_tuple(workbook::wire::field("weights", &demo::Inner::weights));
};
template <>
struct workbook::wire::Fields<demo::Outer> {
  static constexpr auto list = std::make_tuple(workbook::wire::field("scale", &demo::Outer::scale),
                                               workbook::wire::field("layers", &demo::Outer::layers),
                                               workbook::wire::field("name", &demo::Outer::name));
};

BOOST_AUTO_TEST_CASE(values_cross_bit_for_bit) {
  xt::xtensor<double, 2> m = {{1.0 / 3, -0.0}, {std::numeric_limits<double>::denorm_min(), 1e308}};
  m(1, 1) = std::numeric_limits<double>::quiet_NaN();
  const auto bytes = wire::json::to_cbor(wire::encode(m));
  xt::xtensor<double, 2> back;
  wire::decode(wire::json::from_cbor(bytes), back);
  BOOST_TEST(std::memcmp(back.data(), m.data(), sizeof(double) * 4) == 0);

  demo::Outer outer{2.5, {demo::Inner{xt::xtensor<float, 2>{{1.5f, 2.f}}}}, "model"};
  demo::Outer copy;
  wire::decode(wire::json::from_cbor(wire::json::to_cbor(wire::encode(outer))), copy);
  BOOST_TEST(copy.scale == 2.5);
  BOOST_TEST(copy.name == "model");
  BOOST_REQUIRE(copy.layers.size() == 1u);
  BOOST_TEST(copy.layers[0].weights(0, 1) == 2.f);

  std::mt19937_64 rng(7), same;
  rng.discard(1000);
  wire::decode(wire::encode(rng), same);
  BOOST_TEST(same() == rng());  // the whole state crossed
}

BOOST_AUTO_TEST_CASE(a_malformed_value_is_refused_not_trusted) {
  xt::xtensor<double, 2> target;
  wire::json wrong_rank = wire::encode(xt::xtensor<double, 1>{1.0, 2.0});
  BOOST_CHECK_THROW(wire::decode(wrong_rank, target), wire::WireError);
  wire::json short_data = wire::encode(xt::xtensor<double, 2>{{1.0, 2.0}});
  short_data["shape"] = {4, 4};
  BOOST_CHECK_THROW(wire::decode(short_data, target), wire::WireError);
  wire::json huge = short_data;
  huge["shape"] = {std::size_t(1) << 40, std::size_t(1) << 40};
  BOOST_CHECK_THROW(wire::decode(huge, target), wire::WireError);
}
