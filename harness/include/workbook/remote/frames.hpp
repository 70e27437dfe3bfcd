#pragma once
// Messages on the channel: an 8-byte little-endian length, then that many bytes of CBOR.

#include <cstdint>
#include <vector>

#include "workbook/remote/wire.hpp"

namespace workbook::remote {

inline constexpr std::size_t frame_header_size = 8;
// A message larger than this is not a reply but an attack or a runaway: the reader stops there.
inline constexpr std::uint64_t max_frame_size = std::uint64_t(1) << 31;

std::vector<std::uint8_t> to_frame(const wire::json& message);
std::uint64_t frame_size(const std::uint8_t* header);

// Blocking whole-frame I/O on a pipe (the solution's process). false at end of file or on an error.
bool read_frame(int fd, wire::json& message);
bool write_frame(int fd, const wire::json& message);

}  // namespace workbook::remote
