// The CIFAR-10 binary reader on small files written in exactly that format.
#define BOOST_TEST_MODULE nn_cifar10
#include <boost/test/unit_test.hpp>

#include "nn/cifar10.hpp"
#include "scratch_dir.hpp"

namespace {

using Bytes = std::vector<unsigned char>;

// Record r: label, then R, G, B planes of 32x32; pixel byte (r * 31 + c * 7 + y * 5 + x * 3) % 256.
unsigned char pixel_byte(std::size_t r, std::size_t c, std::size_t y, std::size_t x) {
  return static_cast<unsigned char>((r * 31 + c * 7 + y * 5 + x * 3) % 256);
}

Bytes records(const std::vector<unsigned char>& labels, std::size_t first_record = 0) {
  Bytes bytes;
  for (std::size_t k = 0; k < labels.size(); ++k) {
    bytes.push_back(labels[k]);
    for (std::size_t c = 0; c < 3; ++c)
      for (std::size_t y = 0; y < 32; ++y)
        for (std::size_t x = 0; x < 32; ++x) bytes.push_back(pixel_byte(first_record + k, c, y, x));
  }
  return bytes;
}

enum class Layout { channel_planes, interleaved_rgb };

// Pixels of `images` that differ from the bytes written, read in the given layout (index of (c, y, x)).
std::size_t mismatches(const nn::Matrix<float>& images, Layout layout) {
  std::size_t wrong = 0;
  for (std::size_t r = 0; r < images.shape(0); ++r)
    for (std::size_t c = 0; c < 3; ++c)
      for (std::size_t y = 0; y < 32; ++y)
        for (std::size_t x = 0; x < 32; ++x) {
          const std::size_t column = layout == Layout::channel_planes ? c * 1024 + y * 32 + x : (y * 32 + x) * 3 + c;
          if (images(r, column) != float(pixel_byte(r, c, y, x)) / 255.0f) ++wrong;
        }
  return wrong;
}

}  // namespace

BOOST_AUTO_TEST_CASE(records_are_read_as_channel_planes_scaled_to_unit) {
  nn_test::ScratchDir dir("nn_cifar10");
  nn_test::write_bytes(dir / "data_batch_1.bin", records({3, 0, 9}));
  const nn::Cifar10Data data = nn::read_cifar10({dir / "data_batch_1.bin"});
  BOOST_TEST(data.images.shape(0) == 3u);
  BOOST_TEST(data.images.shape(1) == 3072u);
  BOOST_TEST(data.labels == (nn::Tokens{3, 0, 9}), boost::test_tools::per_element());
  BOOST_TEST(mismatches(data.images, Layout::channel_planes) == 0u);
  // one pixel by hand: record 1, green, y 1, x 2 -> byte 31 + 7 + 5 + 6 = 49, column 1024 + 32 + 2
  BOOST_TEST(data.images(1, 1058) == 49.0f / 255.0f);
  BOOST_TEST(xt::amin(data.images)() >= 0.0f);
  BOOST_TEST(xt::amax(data.images)() == 1.0f);  // byte 255 occurs
}

// The pixel check must be able to fail: an interleaved (y, x, c) reading disagrees.
BOOST_AUTO_TEST_CASE(pixel_check_detects_the_wrong_layout) {
  nn_test::ScratchDir dir("nn_cifar10");
  nn_test::write_bytes(dir / "one.bin", records({1}));
  BOOST_TEST(mismatches(nn::read_cifar10({dir / "one.bin"}).images, Layout::interleaved_rgb) > 0u);
}

BOOST_AUTO_TEST_CASE(files_are_concatenated_in_order) {
  nn_test::ScratchDir dir("nn_cifar10");
  nn_test::write_bytes(dir / "a.bin", records({4, 5}));
  nn_test::write_bytes(dir / "b.bin", records({6}, 2));
  nn_test::write_bytes(dir / "empty.bin", {});
  const nn::Cifar10Data data = nn::read_cifar10({dir / "a.bin", dir / "empty.bin", dir / "b.bin"});
  BOOST_TEST(data.labels == (nn::Tokens{4, 5, 6}), boost::test_tools::per_element());
  BOOST_TEST(mismatches(data.images, Layout::channel_planes) == 0u);
}

BOOST_AUTO_TEST_CASE(malformed_files_are_named) {
  nn_test::ScratchDir dir("nn_cifar10");
  Bytes long_file = records({1});
  long_file.push_back(0);
  nn_test::write_bytes(dir / "long.bin", long_file);
  const auto size = nn_test::error_message<std::runtime_error>([&] { nn::read_cifar10({dir / "long.bin"}); });
  BOOST_TEST(nn_test::mentions(size, {"long.bin", "size 3074", "3073"}), size.value_or("no error"));

  nn_test::write_bytes(dir / "label.bin", records({2, 10}));
  const auto label = nn_test::error_message<std::runtime_error>([&] { nn::read_cifar10({dir / "label.bin"}); });
  BOOST_TEST(nn_test::mentions(label, {"label.bin", "record 1", "label 10"}), label.value_or("no error"));

  const auto missing = nn_test::error_message<std::runtime_error>([&] { nn::read_cifar10({dir / "none.bin"}); });
  BOOST_TEST(nn_test::mentions(missing, {"none.bin"}), missing.value_or("no error"));
}

BOOST_AUTO_TEST_CASE(standard_file_names) {
  const auto train = nn::cifar10_train_files("/d");
  BOOST_TEST(train.size() == 5u);
  BOOST_TEST(train.front() == std::filesystem::path("/d/data_batch_1.bin"));
  BOOST_TEST(train.back() == std::filesystem::path("/d/data_batch_5.bin"));
  BOOST_TEST(nn::cifar10_test_file("/d") == std::filesystem::path("/d/test_batch.bin"));
  BOOST_TEST(nn::cifar10_classes[3] == "cat");
}
