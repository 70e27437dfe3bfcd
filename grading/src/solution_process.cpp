#include "workbook/grading/solution_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "workbook/remote/frames.hpp"

namespace workbook::grading {

namespace {

SandboxSpec solution_spec(const std::filesystem::path& program, const Limits& limits, bool trusted) {
  SandboxSpec spec;
  spec.argv = {std::filesystem::absolute(program).string()};
  spec.read_only = {std::filesystem::absolute(program)};
  spec.drop_privileges = reachable_by_others(program);
  spec.limits = limits;
  spec.trusted = trusted;
  return spec;
}

}  // namespace

SolutionProcess::Sockets SolutionProcess::make_sockets() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    throw SandboxStartError(std::string("socketpair: ") + std::strerror(errno));
  fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  return {fds[0], fds[1]};
}

SolutionProcess::SolutionProcess(const std::filesystem::path& program, const Limits& limits, bool trusted) try
    : sockets_(make_sockets()), process_(solution_spec(program, limits, trusted), {sockets_.theirs, sockets_.theirs}) {
  ::close(sockets_.theirs);
  sockets_.theirs = -1;
} catch (...) {
  if (sockets_.ours >= 0) ::close(sockets_.ours);
  if (sockets_.theirs >= 0) ::close(sockets_.theirs);
  throw;
}

SolutionProcess::~SolutionProcess() {
  if (sockets_.ours >= 0) ::close(sockets_.ours);
}

void SolutionProcess::lose(std::string reason, bool kill_it) {
  if (kill_it) process_.kill();
  lost_reason_ = std::move(reason);
  throw remote::ImplementationLost(lost_reason_);
}

void SolutionProcess::refuse(std::string reason) {
  broke_the_protocol_ = true;
  lose(std::move(reason), true);
}

wire::json SolutionProcess::call(const wire::json& request) {
  if (lost()) throw remote::ImplementationLost(lost_reason_);
  const auto frame = remote::to_frame(request);
  std::size_t sent = 0;
  std::vector<std::uint8_t> header(remote::frame_header_size), body;
  std::size_t header_read = 0, body_read = 0;
  bool have_size = false;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= process_.deadline()) {
      lose("stopped at the time limit", true);
    }
    if (process_.flooded()) lose("printed more than 8 MiB: stopped", true);
    std::vector<pollfd> fds = {{sockets_.ours, static_cast<short>(POLLIN | (sent < frame.size() ? POLLOUT : 0)), 0}};
    process_.add_output_fds(fds);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(process_.deadline() - now).count();
    if (poll(fds.data(), fds.size(), static_cast<int>(std::clamp<long>(left, 1, 100))) < 0 && errno != EINTR)
      lose(std::string("poll: ") + std::strerror(errno), true);
    process_.read_output(fds);
    const auto ready = fds.front().revents;
    if ((ready & POLLOUT) && sent < frame.size()) {
      const ssize_t n = send(sockets_.ours, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
      if (n > 0) sent += static_cast<std::size_t>(n);
      else if (n < 0 && errno != EAGAIN && errno != EINTR) lose("the solution's process ended", false);
    }
    if (!(ready & (POLLIN | POLLHUP | POLLERR))) continue;
    std::uint8_t* into = have_size ? body.data() + body_read : header.data() + header_read;
    const std::size_t want = have_size ? body.size() - body_read : header.size() - header_read;
    const ssize_t n = recv(sockets_.ours, into, want, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) lose("the solution's process ended", false);
    if (!have_size) {
      header_read += static_cast<std::size_t>(n);
      if (header_read < header.size()) continue;
      const auto size = remote::frame_size(header.data());
      if (size > remote::max_frame_size) refuse("the solution's process sent a reply larger than 2 GiB");
      body.resize(size);
      have_size = true;
    } else {
      body_read += static_cast<std::size_t>(n);
    }
    if (have_size && body_read == body.size()) {
      if (sent < frame.size()) refuse("the solution's process replied before it was asked");
      try {
        return wire::json::from_cbor(body);
      } catch (const std::exception&) {
        refuse("the solution's process sent something that is not a reply");
      }
    }
  }
}

SandboxResult SolutionProcess::finish() {
  shutdown(sockets_.ours, SHUT_WR);  // no more requests: the process ends by itself
  auto result = process_.finish(std::chrono::milliseconds(2000), lost_reason_.find("time limit") != std::string::npos);
  return result;
}

}  // namespace workbook::grading
