// The IMDB folder reader on small trees laid out as aclImdb unpacks.
#define BOOST_TEST_MODULE nn_imdb
#include <boost/test/unit_test.hpp>

#include "nn/imdb.hpp"
#include "scratch_dir.hpp"

namespace {

void write_text(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  nn_test::write_bytes(file, std::vector<unsigned char>(text.begin(), text.end()));
}

// A tree with two splits; the file names are written out of order and include a name that sorts
// differently as a number ("10_" before "2_" as strings).
void write_small_tree(const std::filesystem::path& root) {
  write_text(root / "train/pos/2_9.txt", "loved it");
  write_text(root / "train/pos/10_8.txt", "great<br />film");
  write_text(root / "train/neg/5_1.txt", "awful");
  write_text(root / "train/neg/0_3.txt", "dull");
  write_text(root / "train/neg/0_3.feat", "ignored: not a review");
  write_text(root / "train/unsup/1_0.txt", "ignored: not labelled");
  write_text(root / "train/urls_pos.txt", "ignored: not in a class folder");
  write_text(root / "test/pos/1_7.txt", "fine");
  write_text(root / "test/neg/3_2.txt", "bad");
}

}  // namespace

BOOST_AUTO_TEST_CASE(negatives_then_positives_in_file_name_order) {
  nn_test::ScratchDir dir("nn_imdb");
  write_small_tree(dir / "aclImdb");
  const nn::ImdbData train = nn::read_imdb(dir / "aclImdb", nn::ImdbSplit::train);
  BOOST_TEST(train.texts == (std::vector<std::string>{"dull", "awful", "great<br />film", "loved it"}),
             boost::test_tools::per_element());
  BOOST_TEST(train.labels == (nn::Tokens{0, 0, 1, 1}), boost::test_tools::per_element());

  const nn::ImdbData test = nn::read_imdb(dir / "aclImdb", nn::ImdbSplit::test);
  BOOST_TEST(test.texts == (std::vector<std::string>{"bad", "fine"}), boost::test_tools::per_element());
  BOOST_TEST(test.labels == (nn::Tokens{0, 1}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(reading_twice_gives_the_same_data) {
  nn_test::ScratchDir dir("nn_imdb");
  write_small_tree(dir.path());
  const nn::ImdbData a = nn::read_imdb(dir.path(), nn::ImdbSplit::train);
  const nn::ImdbData b = nn::read_imdb(dir.path(), nn::ImdbSplit::train);
  BOOST_TEST(a.texts == b.texts, boost::test_tools::per_element());
  BOOST_TEST(a.labels == b.labels, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(malformed_trees_are_named) {
  nn_test::ScratchDir dir("nn_imdb");
  const auto read_train = [](const std::filesystem::path& root) {
    return nn_test::error_message<std::runtime_error>([&] { nn::read_imdb(root, nn::ImdbSplit::train); });
  };

  const auto no_root = read_train(dir / "absent");
  BOOST_TEST(nn_test::mentions(no_root, {"absent", "not a folder"}), no_root.value_or("no error"));

  write_text(dir / "no_split/test/pos/1_7.txt", "fine");
  const auto no_split = read_train(dir / "no_split");
  BOOST_TEST(nn_test::mentions(no_split, {"no_split/train", "not a folder"}), no_split.value_or("no error"));

  write_text(dir / "no_neg/train/pos/1_7.txt", "fine");
  const auto no_neg = read_train(dir / "no_neg");
  BOOST_TEST(nn_test::mentions(no_neg, {"no_neg/train/neg", "not a folder"}), no_neg.value_or("no error"));

  write_text(dir / "empty_pos/train/neg/1_2.txt", "bad");
  write_text(dir / "empty_pos/train/pos/1_7.feat", "not a review");
  const auto empty_pos = read_train(dir / "empty_pos");
  BOOST_TEST(nn_test::mentions(empty_pos, {"empty_pos/train/pos", "no .txt"}), empty_pos.value_or("no error"));

  write_text(dir / "pos_is_file/train/neg/1_2.txt", "bad");
  write_text(dir / "pos_is_file/train/pos", "a file where a folder belongs");
  const auto pos_is_file = read_train(dir / "pos_is_file");
  BOOST_TEST(nn_test::mentions(pos_is_file, {"pos_is_file/train/pos", "not a folder"}),
             pos_is_file.value_or("no error"));
}
