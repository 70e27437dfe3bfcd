// The safetensors reader and writer against bytes written out by hand, checkpoints built on them, and parameters
// loaded by name.
#define BOOST_TEST_MODULE nn_safetensors
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "nn/checkpoint.hpp"
#include "nn/named_tensors.hpp"
#include "nn/safetensors.hpp"
#include "scratch_dir.hpp"

namespace {

using Bytes = std::vector<unsigned char>;
using nn_test::error_message;
using nn_test::mentions;

std::vector<std::byte> as_bytes(const Bytes& bytes) {
  std::vector<std::byte> out(bytes.size());
  std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

// A whole file: the 8-byte little-endian header length, the header, the data.
Bytes safetensors_bytes(const std::string& header, const Bytes& data) {
  Bytes file;
  for (int i = 0; i < 8; ++i) file.push_back(static_cast<unsigned char>((header.size() >> (8 * i)) & 0xff));
  file.insert(file.end(), header.begin(), header.end());
  file.insert(file.end(), data.begin(), data.end());
  return file;
}

// One stored tensor per dtype: its little-endian bytes written out by hand and the numbers they encode.
struct DtypeCase {
  std::string name;
  std::string dtype;
  std::vector<std::size_t> shape;
  Bytes bytes;
  std::vector<double> values;
  bool integral;
};

const std::vector<DtypeCase>& dtype_cases() {
  static const std::vector<DtypeCase> cases = {
      {"f64", "F64", {2}, {0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0xc0}, {1.5, -2.0}, false},
      {"f32", "F32", {3, 1}, {0, 0, 0x80, 0x3f, 0, 0, 0, 0xbf, 0, 0, 0x40, 0x40}, {1.0, -0.5, 3.0}, false},
      // half: 1, -2, 65504 (largest), 2^-24 (smallest subnormal), 0.5, 0x3555 = 1365/4096
      {"f16",
       "F16",
       {2, 3},
       {0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00, 0x00, 0x38, 0x55, 0x35},
       {1.0, -2.0, 65504.0, 5.9604644775390625e-08, 0.5, 0.333251953125},
       false},
      // bfloat16: the top halves of float32 1.0 (0x3f800000), -5.0 (0xc0a00000), 0.15625 (0x3e200000)
      {"bf16", "BF16", {3}, {0x80, 0x3f, 0xa0, 0xc0, 0x20, 0x3e}, {1.0, -5.0, 0.15625}, false},
      {"i64",
       "I64",
       {2},
       {0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0x01, 0, 0},
       {-3.0, 1099511627776.0},
       true},
      {"i32", "I32", {1, 2}, {0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0, 0}, {-1.0, 258.0}, true},
      {"u8", "U8", {3}, {0, 200, 255}, {0.0, 200.0, 255.0}, true},
      {"scalar", "F32", {}, {0, 0, 0x40, 0x40}, {3.0}, false},
      {"empty", "F32", {0, 4}, {}, {}, false},
  };
  return cases;
}

template <class T>
std::vector<T> cast_all(const std::vector<double>& values) {
  return std::vector<T>(values.begin(), values.end());
}

void check_values_match(const nn::SafetensorsFile& file, const DtypeCase& c) {
  BOOST_TEST_CONTEXT("tensor " << c.name) {
    BOOST_TEST(file.values<double>(c.name) == c.values, boost::test_tools::per_element());
    BOOST_TEST(file.values<float>(c.name) == cast_all<float>(c.values), boost::test_tools::per_element());
    if (c.integral) {
      BOOST_TEST(file.values<std::int64_t>(c.name) == cast_all<std::int64_t>(c.values),
                 boost::test_tools::per_element());
      const bool fits_int = std::all_of(c.values.begin(), c.values.end(), [](double v) { return std::abs(v) < 2e9; });
      if (fits_int) BOOST_TEST(file.values<int>(c.name) == cast_all<int>(c.values), boost::test_tools::per_element());
    }
  }
}

}  // namespace

// ---- well-formed files --------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(every_dtype_round_trips) {
  nn_test::ScratchDir dir("nn_safetensors");
  std::map<std::string, nn::TensorData> tensors;
  for (const auto& c : dtype_cases()) tensors[c.name] = {c.dtype, c.shape, as_bytes(c.bytes)};
  const nn::Metadata metadata = {{"format", "pt"}, {"step", "12"}};
  nn::write_safetensors(dir / "all.safetensors", tensors, metadata);

  const auto file = nn::SafetensorsFile::read(dir / "all.safetensors");
  const std::vector<std::string> sorted = {"bf16", "empty", "f16", "f32", "f64", "i32", "i64", "scalar", "u8"};
  BOOST_TEST(file.names() == sorted, boost::test_tools::per_element());
  BOOST_TEST(file.metadata() == metadata);
  BOOST_TEST(!file.has("missing"));
  for (const auto& c : dtype_cases()) {
    BOOST_TEST_CONTEXT("tensor " << c.name) {
      BOOST_TEST(file.has(c.name));
      BOOST_TEST(file.info(c.name).dtype == c.dtype);
      BOOST_TEST(file.info(c.name).shape == c.shape, boost::test_tools::per_element());
      BOOST_TEST((file.info(c.name).bytes == as_bytes(c.bytes)));
    }
    check_values_match(file, c);
  }
  BOOST_CHECK_THROW(file.info("missing"), std::out_of_range);
}

BOOST_AUTO_TEST_CASE(written_file_has_the_documented_layout) {
  nn_test::ScratchDir dir("nn_safetensors");
  const std::vector<float> values = {1.0f, -0.5f};
  nn::write_safetensors(dir / "one.safetensors", {{"w", nn::tensor_data(values, {1, 2})}});
  // the temporary file was renamed over the target: nothing else is left in the folder
  BOOST_TEST(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);

  const Bytes file = nn_test::read_bytes(dir / "one.safetensors");
  std::uint64_t header_length = 0;
  for (int i = 0; i < 8; ++i) header_length |= std::uint64_t(file[i]) << (8 * i);
  BOOST_TEST(header_length % 8 == 0u);
  BOOST_REQUIRE(file.size() == 8 + header_length + 8);
  const std::string header(file.begin() + 8, file.begin() + 8 + std::ptrdiff_t(header_length));
  const auto json_end = header.find_last_of('}') + 1;
  BOOST_TEST(header.substr(json_end) == std::string(header_length - json_end, ' '));  // padding is spaces
  const auto parsed = nlohmann::json::parse(header);
  BOOST_TEST(parsed.size() == 1u);  // no empty "__metadata__"
  BOOST_TEST(parsed["w"]["dtype"] == "F32");
  BOOST_TEST((parsed["w"]["shape"] == nlohmann::json::array({1, 2})));
  BOOST_TEST((parsed["w"]["data_offsets"] == nlohmann::json::array({0, 8})));
  const Bytes data(file.begin() + 8 + std::ptrdiff_t(header_length), file.end());
  BOOST_TEST(data == (Bytes{0, 0, 0x80, 0x3f, 0, 0, 0, 0xbf}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(file_built_byte_by_byte_is_read) {
  nn_test::ScratchDir dir("nn_safetensors");
  // keys out of order, tensors out of order in the data, header length not a multiple of 8: all allowed
  const std::string header = R"({"b":{"dtype":"I32","shape":[2],"data_offsets":[8,16]},)"
                             R"("a":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"__metadata__":{"k":"v"}})";
  const Bytes data = {0, 0, 0x80, 0x3f, 0, 0, 0, 0xbf, 7, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff};
  nn_test::write_bytes(dir / "hand.safetensors", safetensors_bytes(header, data));

  const auto file = nn::SafetensorsFile::read(dir / "hand.safetensors");
  BOOST_TEST(file.names() == (std::vector<std::string>{"a", "b"}), boost::test_tools::per_element());
  BOOST_TEST(file.info("a").shape == (std::vector<std::size_t>{1, 2}), boost::test_tools::per_element());
  BOOST_TEST(file.values<float>("a") == (std::vector<float>{1.0f, -0.5f}), boost::test_tools::per_element());
  BOOST_TEST(file.values<int>("b") == (std::vector<int>{7, -2}), boost::test_tools::per_element());
  BOOST_TEST(file.metadata() == (nn::Metadata{{"k", "v"}}));
}

BOOST_AUTO_TEST_CASE(tensor_data_helpers_store_native_values) {
  const std::vector<float> f = {1.0f};
  const std::vector<double> d = {1.5, -2.0};
  const std::vector<std::int64_t> i = {-3};
  BOOST_TEST((nn::tensor_data(f, {1}).bytes == as_bytes({0, 0, 0x80, 0x3f})));
  BOOST_TEST(nn::tensor_data(f, {1}).dtype == "F32");
  BOOST_TEST((nn::tensor_data(d, {2, 1}).bytes == as_bytes(dtype_cases()[0].bytes)));
  BOOST_TEST(nn::tensor_data(d, {2, 1}).dtype == "F64");
  BOOST_TEST((nn::tensor_data(i, {}).bytes == as_bytes({0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})));
  BOOST_TEST(nn::tensor_data(i, {}).dtype == "I64");
  BOOST_CHECK_THROW(nn::tensor_data(d, {3}), std::invalid_argument);
}

// ---- malformed files ------------------------------------------------------------------------------------

namespace {

// A file holding raw bytes must fail to read with a message naming the file and every fragment.
void check_rejected(const std::string& what, const Bytes& contents, const std::vector<std::string>& fragments) {
  nn_test::ScratchDir dir("nn_safetensors");
  const auto path = dir / (what + ".safetensors");
  nn_test::write_bytes(path, contents);
  const auto message = error_message<std::runtime_error>([&] { nn::SafetensorsFile::read(path); });
  auto expected = fragments;
  expected.push_back(path.string());
  BOOST_TEST(mentions(message, expected), what << ": got " << message.value_or("no error"));
}

// A header describing one F32 tensor "x", followed by data_size bytes.
Bytes one_tensor(const std::string& dtype, const std::string& shape, const std::string& offsets,
                 std::size_t data_size) {
  return safetensors_bytes(
      R"({"x":{"dtype":")" + dtype + R"(","shape":)" + shape + R"(,"data_offsets":)" + offsets + "}}",
      Bytes(data_size, 0));
}

}  // namespace

BOOST_AUTO_TEST_CASE(malformed_files_are_rejected_with_a_useful_message) {
  check_rejected("truncated", {1, 0, 0}, {"truncated", "3 bytes"});
  Bytes long_header = safetensors_bytes("{}", {});
  long_header[1] = 0x10;  // header length 0x1002 = 4098 in a 10-byte file
  check_rejected("length_beyond_file", long_header, {"header length 4098", "beyond the end", "(10 bytes)"});
  check_rejected("bad_json", safetensors_bytes(R"({"x": )", {}), {"not valid JSON"});
  check_rejected("not_an_object", safetensors_bytes("[1, 2]", {}), {"not an object"});
  check_rejected("outside_data", one_tensor("F32", "[4]", "[0,16]", 8),
                 {"\"x\"", "[0, 16]", "outside the data section of 8 bytes"});
  check_rejected("end_before_begin", one_tensor("F32", "[0]", "[8,0]", 8), {"\"x\"", "end before"});
  check_rejected("unknown_dtype", one_tensor("Q7", "[1]", "[0,1]", 1), {"\"x\"", "unknown dtype \"Q7\""});
  check_rejected("size_mismatch", one_tensor("F32", "[3]", "[0,8]", 8),
                 {"\"x\"", "hold 8 bytes", "shape [3] of F32 needs 3 elements"});
  check_rejected("negative_shape", one_tensor("F32", "[-1]", "[0,4]", 4), {"\"shape\"", "non-negative integers"});
  check_rejected("three_offsets", one_tensor("F32", "[1]", "[0,4,8]", 8), {"[begin, end]"});
  check_rejected("no_dtype", safetensors_bytes(R"({"x":{"shape":[1],"data_offsets":[0,4]}})", Bytes(4, 0)),
                 {"\"x\" has no \"dtype\""});
  check_rejected("overlap",
                 safetensors_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                   R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                   Bytes(12, 0)),
                 {"\"a\" [0, 8]", "\"b\" [4, 12]", "overlap"});
  check_rejected("metadata_not_string", safetensors_bytes(R"({"__metadata__":{"step":3}})", {}),
                 {"metadata \"step\" is not a string"});
}

BOOST_AUTO_TEST_CASE(missing_file_is_named) {
  const auto message = error_message<std::runtime_error>([] { nn::SafetensorsFile::read("/nonexistent/x.st"); });
  BOOST_TEST(mentions(message, {"/nonexistent/x.st", "cannot open"}), message.value_or("no error"));
}

// The rejection check above must be able to fail: on a good file there is no message to match.
BOOST_AUTO_TEST_CASE(rejection_check_fails_on_a_good_file) {
  nn_test::ScratchDir dir("nn_safetensors");
  nn_test::write_bytes(dir / "good.safetensors", one_tensor("F32", "[2]", "[0,8]", 8));
  const auto message = error_message<std::runtime_error>([&] { nn::SafetensorsFile::read(dir / "good.safetensors"); });
  BOOST_TEST(!message.has_value());
  BOOST_TEST(!mentions(message, {}));
}

BOOST_AUTO_TEST_CASE(writing_a_bad_tensor_throws_and_leaves_no_file) {
  nn_test::ScratchDir dir("nn_safetensors");
  const auto path = dir / "bad.safetensors";
  const std::map<std::string, nn::TensorData> short_tensor = {{"w", {"F32", {3}, as_bytes({0, 0, 0, 0})}}};
  const auto message = error_message<std::runtime_error>([&] { nn::write_safetensors(path, short_tensor); });
  BOOST_TEST(mentions(message, {path.string(), "\"w\"", "has 4 bytes", "needs 12"}), message.value_or("no error"));
  const std::map<std::string, nn::TensorData> odd_dtype = {{"w", {"F8", {1}, as_bytes({0})}}};
  BOOST_TEST(mentions(error_message<std::runtime_error>([&] { nn::write_safetensors(path, odd_dtype); }),
                      {"unknown dtype \"F8\""}));
  BOOST_TEST(std::filesystem::is_empty(dir.path()));

  const auto nowhere = dir / "no_such_folder" / "x.safetensors";
  const auto unwritable = error_message<std::runtime_error>([&] { nn::write_safetensors(nowhere, {}); });
  BOOST_TEST(mentions(unwritable, {nowhere.string(), "cannot open"}), unwritable.value_or("no error"));
}

// ---- checkpoints --------------------------------------------------------------------------------------

namespace {

template <class T>
struct TinyModel {
  nn::Matrix<T> weight = {{1.5, -2.0, 0.25}, {3.0, 0.5, -1.0}};
  nn::Vector<T> bias = {0.125, -7.0};
  nn::Matrix<T> dweight = xt::zeros<T>({2, 3});
  nn::Vector<T> dbias = xt::zeros<T>({2});

  std::vector<nn::ParamRef<T>> params() {
    return {nn::param_ref("fc.weight", weight, dweight), nn::param_ref("fc.bias", bias, dbias)};
  }
};

}  // namespace

using precisions = std::tuple<float, double>;

BOOST_AUTO_TEST_CASE_TEMPLATE(checkpoint_round_trips, T, precisions) {
  nn_test::ScratchDir dir("nn_checkpoint");
  TinyModel<T> saved;
  nn::save_checkpoint(dir / "ckpt.safetensors", saved.params(), {{"step", "40"}});
  const auto file = nn::SafetensorsFile::read(dir / "ckpt.safetensors");
  BOOST_TEST(file.info("fc.weight").dtype == (std::is_same_v<T, float> ? "F32" : "F64"));
  BOOST_TEST(file.info("fc.weight").shape == (std::vector<std::size_t>{2, 3}), boost::test_tools::per_element());

  TinyModel<T> loaded;
  loaded.weight.fill(0);
  loaded.bias.fill(0);
  const auto metadata = nn::load_checkpoint(dir / "ckpt.safetensors", loaded.params());
  BOOST_TEST(metadata == (nn::Metadata{{"step", "40"}}));
  BOOST_TEST((loaded.weight == saved.weight));
  BOOST_TEST((loaded.bias == saved.bias));
}

BOOST_AUTO_TEST_CASE(checkpoint_mismatches_are_named_and_change_nothing) {
  nn_test::ScratchDir dir("nn_checkpoint");
  const auto path = dir / "ckpt.safetensors";
  TinyModel<float> saved;
  nn::save_checkpoint(path, saved.params());

  nn::Matrix<float> extra = xt::zeros<float>({1, 1}), dextra = extra;
  TinyModel<float> model;
  model.weight.fill(0);
  auto with_extra = model.params();
  with_extra.push_back(nn::param_ref("head.weight", extra, dextra));
  const auto missing = error_message<std::runtime_error>([&] { nn::load_checkpoint(path, with_extra); });
  BOOST_TEST(mentions(missing, {path.string(), "\"head.weight\"", "not in the file"}), missing.value_or("no error"));
  BOOST_TEST((model.weight == xt::zeros<float>({2, 3})));  // fc.weight, though present, was not loaded

  nn::Matrix<float> transposed = xt::zeros<float>({3, 2}), dtransposed = transposed;
  const std::vector<nn::ParamRef<float>> wrong_shape = {nn::param_ref("fc.weight", transposed, dtransposed)};
  const auto mismatch = error_message<std::runtime_error>([&] { nn::load_checkpoint(path, wrong_shape); });
  BOOST_TEST(mentions(mismatch, {"\"fc.weight\"", "[2, 3] in the file", "[3, 2] in the model"}),
             mismatch.value_or("no error"));

  auto twice = saved.params();
  twice.push_back(twice.front());
  BOOST_CHECK_THROW(nn::save_checkpoint(path, twice), std::invalid_argument);
}

// ---- parameters that arrive by name (a student's trained model) ------------------------------------------------

namespace {
struct Named {
  std::string name;
  std::vector<std::size_t> shape;
  std::vector<float> values;
};
}  // namespace

BOOST_AUTO_TEST_CASE(named_tensors_load_only_when_every_name_and_shape_fits) {
  nn::Matrix<float> w = xt::zeros<float>({2, 3}), dw = w;
  nn::Vector<float> b = xt::zeros<float>({3}), db = b;
  const std::vector<nn::ParamRef<float>> params{nn::param_ref("w", w, dw), nn::param_ref("b", b, db)};
  const std::vector<Named> good{{"b", {3}, {7, 8, 9}}, {"w", {2, 3}, {1, 2, 3, 4, 5, 6}}};
  BOOST_TEST(nn::load_named(params, good).empty());
  BOOST_TEST(w(1, 2) == 6.0f);
  BOOST_TEST(b(0) == 7.0f);

  const std::vector<Named> bad{{"w", {3, 2}, {0, 0, 0, 0, 0, 0}}, {"lm_head", {1}, {0}}, {"lm_head", {1}, {0}}};
  const auto problems = nn::load_named(params, bad);
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  BOOST_TEST(problems.size() == 4u, all);  // w's shape, lm_head unknown, lm_head again, b missing
  BOOST_TEST(all.find("\"w\" has shape (3, 2)") != std::string::npos, all);
  BOOST_TEST(all.find("\"lm_head\" is not a parameter") != std::string::npos, all);
  BOOST_TEST(all.find("\"b\" (3) is missing") != std::string::npos, all);
  BOOST_TEST(w(1, 2) == 6.0f);  // nothing written when anything is wrong
}
