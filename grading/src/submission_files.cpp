#include "workbook/grading/submission_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace workbook::grading {

namespace {

struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace

std::optional<std::string> read_submission_file(const std::filesystem::path& dir, const std::filesystem::path& relative,
                                                std::size_t max_bytes) {
  const auto name = relative.generic_string();
  Fd at(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (at.fd < 0) throw SubmissionFileError("cannot open the submission directory " + dir.string() + ": " + std::strerror(errno));
  std::filesystem::path walked;
  for (auto it = relative.begin(); it != relative.end(); ++it) {
    const bool last = std::next(it) == relative.end();
    walked /= *it;
    if (*it == ".." || *it == "." || it->empty())
      throw SubmissionFileError(name + ": only plain paths inside the submission are read");
    const int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (last ? 0 : O_DIRECTORY);
    const int fd = openat(at.fd, it->c_str(), flags);
    if (fd < 0) {
      if (errno == ENOENT) return std::nullopt;
      if (errno == ELOOP || errno == ENOTDIR) {
        struct stat info;
        if (fstatat(at.fd, it->c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(info.st_mode))
          throw SubmissionFileError(walked.generic_string() + " is a symbolic link; a submission holds its own files, not links");
      }
      throw SubmissionFileError("cannot read " + walked.generic_string() + ": " + std::strerror(errno));
    }
    Fd next(fd);
    std::swap(at.fd, next.fd);
  }
  struct stat info;
  if (fstat(at.fd, &info) != 0 || !S_ISREG(info.st_mode))
    throw SubmissionFileError(name + " is not a regular file");
  if (static_cast<std::size_t>(info.st_size) > max_bytes)
    throw SubmissionFileError(name + " is larger than " + std::to_string(max_bytes >> 10) + " KiB");
  std::string text(static_cast<std::size_t>(info.st_size), '\0');
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = read(at.fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  text.resize(done);
  return text;
}

}  // namespace workbook::grading
