#pragma once
// A submission's files, read without following a symbolic link anywhere below the submission directory:
// a link (to a solution, to a classmate's file, to /etc/passwd) is refused by name, so nothing outside the
// submission is ever read on the student's behalf. Only regular files are read (a FIFO would block).

#include <cstddef>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

namespace workbook::grading {

class SubmissionFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The text of DIR/RELATIVE, or nullopt when it does not exist. Throws SubmissionFileError when the path
// passes through a symbolic link, is not a regular file, or is larger than `max_bytes`.
std::optional<std::string> read_submission_file(const std::filesystem::path& dir, const std::filesystem::path& relative,
                                                std::size_t max_bytes = std::size_t(1) << 20);

}  // namespace workbook::grading
