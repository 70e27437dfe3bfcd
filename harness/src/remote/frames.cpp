#include "workbook/remote/frames.hpp"

#include <unistd.h>

#include <cerrno>

namespace workbook::remote {

std::vector<std::uint8_t> to_frame(const wire::json& message) {
  std::vector<std::uint8_t> frame(frame_header_size);
  wire::json::to_cbor(message, frame);  // appends after the header
  const std::uint64_t size = frame.size() - frame_header_size;
  for (std::size_t i = 0; i < frame_header_size; ++i) frame[i] = static_cast<std::uint8_t>(size >> (8 * i));
  return frame;
}

std::uint64_t frame_size(const std::uint8_t* header) {
  std::uint64_t size = 0;
  for (std::size_t i = 0; i < frame_header_size; ++i) size |= std::uint64_t(header[i]) << (8 * i);
  return size;
}

namespace {

bool read_exactly(int fd, std::uint8_t* data, std::size_t size) {
  for (std::size_t done = 0; done < size;) {
    const ssize_t n = read(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

bool read_frame(int fd, wire::json& message) {
  std::uint8_t header[frame_header_size];
  if (!read_exactly(fd, header, frame_header_size)) return false;
  const auto size = frame_size(header);
  if (size > max_frame_size) return false;
  std::vector<std::uint8_t> body(size);
  if (!read_exactly(fd, body.data(), body.size())) return false;
  message = wire::json::from_cbor(body);
  return true;
}

bool write_frame(int fd, const wire::json& message) {
  const auto frame = to_frame(message);
  for (std::size_t done = 0; done < frame.size();) {
    const ssize_t n = write(fd, frame.data() + done, frame.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace workbook::remote
