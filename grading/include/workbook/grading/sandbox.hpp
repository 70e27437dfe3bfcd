#pragma once
// Runs an untrusted command in its own process: under bubblewrap when it is installed (no network, a
// read-only view of only what the command needs, a private /tmp of bounded size), always with rlimits
// (CPU time, address space, file size, process count), a wall-clock timeout, and stdout/stderr captured
// up to a cap. When the grader runs as root, each sandbox runs as a user id of its own (a slot), so that
// one sandbox's processes never count against another's limit.
//
// A sandbox that cannot start because of the grader's own resources (bubblewrap refused a namespace, no
// process could be forked) is retried, and if it still cannot start it is reported as a grader error:
// never as the student's failure.

#include <poll.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace workbook::grading {

struct Limits {
  std::chrono::milliseconds wall{10000};
  int cpu_seconds = 20;
  std::uint64_t address_space = 4ull << 30;  // bytes, per process
  std::uint64_t file_size = 64ull << 20;     // bytes, per file written
  std::uint64_t tmp_size = 64ull << 20;      // bytes: the private /tmp (memory), all files together
  int processes = 256;                       // per sandbox (its own user id when the grader is root)
  std::size_t output_cap = 64 * 1024;        // bytes kept of stdout and of stderr, each
};

struct SandboxSpec {
  std::vector<std::string> argv;                  // argv[0] is an absolute path
  std::vector<std::filesystem::path> read_only;   // bound read-only at the same path
  std::vector<std::filesystem::path> writable;    // bound read-write at the same path
  std::filesystem::path working_directory = "/tmp";
  Limits limits;
  // When the grader runs as root: run the command as a sandbox user of its own, so that the process limit
  // applies to it (root is exempt). Only possible when others can reach every bound path (reachable_by_others).
  bool drop_privileges = true;
  // Not a student's code (the reference solution, a mutant): no sandbox, no limits but the wall clock.
  bool trusted = false;
};

// How a sandboxed command ended.
struct SandboxResult {
  bool started = false;        // false: the sandbox could not start; `error` says why (the grader's fault)
  int exit_code = -1;          // when it exited normally
  int signal = 0;              // when a signal ended it
  bool timed_out = false;      // killed at the wall-clock limit
  bool output_cut = false;     // stdout or stderr went past the cap (the rest was dropped)
  bool output_limit = false;   // it printed so much (8 MiB) that it was stopped
  std::string out, err;        // what it printed, up to the cap each
  std::string error;           // why it could not start
  double seconds = 0;
  bool sandboxed = false;      // ran under bubblewrap
};

// The sandbox's own failure to start (after retries): a grader error, not the student's.
class SandboxStartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs the command to its end (a compiler, a probe).
SandboxResult run_sandboxed(const SandboxSpec& spec);

// A sandboxed command that runs while the caller talks to it through extra pipes (the solution's process,
// fds 3 and 4 in the child). The caller polls its fds together with the output (add_output_fds, read_output).
class SandboxedProcess {
 public:
  // Starts it, passing `child_fds` as fds 3, 4, ... in the child (the caller closes its copies afterwards).
  // Throws SandboxStartError when the sandbox itself could not start, after retrying.
  SandboxedProcess(const SandboxSpec& spec, const std::vector<int>& child_fds);
  ~SandboxedProcess();
  SandboxedProcess(const SandboxedProcess&) = delete;
  SandboxedProcess& operator=(const SandboxedProcess&) = delete;

  std::chrono::steady_clock::time_point deadline() const;
  void add_output_fds(std::vector<pollfd>& fds) const;   // its stdout and stderr, while open
  void read_output(const std::vector<pollfd>& fds);      // reads what poll found ready among them
  bool flooded() const;                                  // printed past the output limit
  void kill();                                           // the whole process group, now
  // Waits for the end (at most `grace` past now, then kills it) and says how it ended.
  SandboxResult finish(std::chrono::milliseconds grace, bool timed_out = false);

  struct State;  // defined in sandbox.cpp

 private:
  std::unique_ptr<State> state_;
};

// Whether a user other than the owner can reach `path`: every ancestor searchable, the path itself
// readable (and searchable when a directory).
bool reachable_by_others(const std::filesystem::path& path);

// Whether bubblewrap is installed and works here (user namespaces allowed); checked once.
bool bubblewrap_available();

// "SIGSEGV (segmentation fault)".
std::string signal_name(int signal);

}  // namespace workbook::grading
