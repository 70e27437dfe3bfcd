// The character tokenizer on small strings and on the shipped Shakespeare corpus, and how the corpus is found.
#define BOOST_TEST_MODULE nn_char_tokenizer
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <iterator>

#include "nn/char_tokenizer.hpp"
#include "nn/shipped_data.hpp"
#include "scratch_dir.hpp"

BOOST_AUTO_TEST_CASE(vocabulary_is_the_sorted_distinct_bytes) {
  const nn::CharTokenizer tokenizer("hello");
  BOOST_TEST(tokenizer.vocab_size() == 4u);
  BOOST_TEST(tokenizer.alphabet() == "ehlo");
  BOOST_TEST(tokenizer.encode("hello") == (nn::Tokens{1, 0, 2, 2, 3}), boost::test_tools::per_element());
  BOOST_TEST(tokenizer.decode({3, 2, 1}) == "olh");
  BOOST_TEST(tokenizer.encode("").empty());
}

BOOST_AUTO_TEST_CASE(unknown_characters_and_ids_are_named) {
  const nn::CharTokenizer tokenizer("hello");
  const auto z = nn_test::error_message<std::invalid_argument>([&] { tokenizer.encode("hez"); });
  BOOST_TEST(nn_test::mentions(z, {"'z'", "position 2"}), z.value_or("no error"));
  const auto newline = nn_test::error_message<std::invalid_argument>([&] { tokenizer.encode("\n"); });
  BOOST_TEST(nn_test::mentions(newline, {"'\\x0a'", "position 0"}), newline.value_or("no error"));
  const auto id = nn_test::error_message<std::out_of_range>([&] { tokenizer.decode({0, 4}); });
  BOOST_TEST(nn_test::mentions(id, {"id 4", "position 1", "[0, 4)"}), id.value_or("no error"));
  BOOST_CHECK_THROW(tokenizer.decode({-1}), std::out_of_range);
  // the message check can fail: a known character raises nothing to mention
  BOOST_TEST(!nn_test::mentions(nn_test::error_message<std::invalid_argument>([&] { tokenizer.encode("o"); }), {}));
}

BOOST_AUTO_TEST_CASE(every_byte_value_round_trips) {
  std::string all_bytes;
  for (int b = 255; b >= 0; --b) all_bytes.push_back(static_cast<char>(b));
  const nn::CharTokenizer tokenizer(all_bytes);
  BOOST_TEST(tokenizer.vocab_size() == 256u);
  const nn::Tokens ids = tokenizer.encode(all_bytes);
  BOOST_TEST(ids.front() == 255);  // byte 0xff has the highest rank
  BOOST_TEST(tokenizer.decode(ids) == all_bytes);
}

BOOST_AUTO_TEST_CASE(tiny_shakespeare_has_65_characters_and_round_trips) {
  std::ifstream in(std::string(NN_DATA_DIR) + "/tinyshakespeare.txt", std::ios::binary);
  BOOST_REQUIRE(in);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(text.size() == 1115394u);
  const nn::CharTokenizer tokenizer(text);
  BOOST_TEST(tokenizer.vocab_size() == 65u);
  // the vocabulary nanoGPT's shakespeare_char prints for this corpus
  BOOST_TEST(tokenizer.alphabet() == "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
  BOOST_TEST(tokenizer.decode(tokenizer.encode(text)) == text);
}

BOOST_AUTO_TEST_CASE(shipped_data_reads_the_first_bytes_of_a_data_file) {
  const auto head = nn::read_shipped_data("tinyshakespeare.txt", 14);
  BOOST_TEST(head == "First Citizen:");
  BOOST_TEST(nn::read_shipped_data("tinyshakespeare.txt", 2000000).size() == 1115394u);  // all of it when shorter
  const auto missing = nn_test::error_message<std::runtime_error>([] { nn::read_shipped_data("no-such-file", 1); });
  BOOST_TEST(nn_test::mentions(missing, {"no-such-file"}), missing.value_or("no error"));
}
