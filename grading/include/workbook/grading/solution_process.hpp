#pragma once
// The process a solution runs in (the reference, a mutant, a student's code), seen from the checks: a
// remote::Channel whose calls go to the process over a socket (fds 3 and 4 in the child), with the
// process's output captured and its time limit enforced while a call waits. A student's process runs in
// the sandbox; ours run as they are.

#include <filesystem>
#include <memory>
#include <string>

#include "workbook/grading/sandbox.hpp"
#include "workbook/remote/channel.hpp"

namespace workbook::grading {

class SolutionProcess : public remote::Channel {
 public:
  // Starts `program`. Throws SandboxStartError when the sandbox could not start (a grader error).
  SolutionProcess(const std::filesystem::path& program, const Limits& limits, bool trusted);
  ~SolutionProcess() override;

  wire::json call(const wire::json& request) override;
  bool lost() const override { return !lost_reason_.empty(); }
  // Why the process stopped answering, when it did ("" otherwise).
  const std::string& lost_reason() const { return lost_reason_; }
  // True when it was stopped for writing to the channel what is not a reply to the request (a forged report,
  // a reply before the request): its own doing, a failure of the work rather than a limit it hit.
  bool broke_the_protocol() const { return broke_the_protocol_; }

  // Ends the process (it stops when its requests end) and says how it ended.
  SandboxResult finish();

 private:
  [[noreturn]] void lose(std::string reason, bool kill_it);
  [[noreturn]] void refuse(std::string reason);  // lose, for breaking the protocol

  struct Sockets {
    int ours = -1, theirs = -1;  // ours is non-blocking; theirs becomes the child's fds 3 and 4
  };
  static Sockets make_sockets();

  Sockets sockets_;  // before process_: the process is started with their end
  SandboxedProcess process_;
  std::string lost_reason_;
  bool broke_the_protocol_ = false;
};

}  // namespace workbook::grading
