#include "workbook/grading/sandbox.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdlib>

namespace workbook::grading {

namespace {

constexpr uid_t nobody = 65534;  // root drops to this user inside the child, so RLIMIT_NPROC applies
const char* const bwrap = "/usr/bin/bwrap";

// Past this much output the command is stopped and the outcome is "output limit".
constexpr std::size_t flood = 8u << 20;

std::vector<std::string> bubblewrap_argv(const SandboxSpec& spec) {
  std::vector<std::string> a = {bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/usr", "/usr"};
  for (const char* link : {"lib", "lib64", "bin", "sbin"}) {
    a.insert(a.end(), {"--symlink", std::string("usr/") + link, std::string("/") + link});
  }
  // The dynamic linker's cache and the alternatives links that point at the installed BLAS.
  for (const char* etc : {"/etc/ld.so.cache", "/etc/alternatives"})
    if (access(etc, R_OK) == 0) a.insert(a.end(), {"--ro-bind", etc, etc});
  a.insert(a.end(), {"--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"});
  for (const auto& p : spec.read_only) a.insert(a.end(), {"--ro-bind", p.string(), p.string()});
  for (const auto& p : spec.writable) a.insert(a.end(), {"--bind", p.string(), p.string()});
  a.insert(a.end(), {"--chdir", spec.working_directory.string(), "--"});
  a.insert(a.end(), spec.argv.begin(), spec.argv.end());
  return a;
}

void set_limit(int resource, rlim_t value) {
  const rlimit limit{value, value};
  setrlimit(resource, &limit);
}

// In the child, between fork and exec: only async-signal-safe calls.
// argv and environment are null-terminated arrays the parent built (allocating here could deadlock).
[[noreturn]] void exec_child(char* const* argv, char* const* environment, const SandboxSpec& spec, int in, int out,
                             int err, int report) {
  setpgid(0, 0);
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  if (report >= 0) dup2(report, 3);
  const int keep = report >= 0 ? 4 : 3;
  for (int fd = keep; fd < 1024; ++fd) close(fd);
  set_limit(RLIMIT_CPU, spec.limits.cpu_seconds);
  set_limit(RLIMIT_AS, spec.limits.address_space);
  set_limit(RLIMIT_FSIZE, spec.limits.file_size);
  set_limit(RLIMIT_NPROC, spec.limits.processes);
  set_limit(RLIMIT_CORE, 0);
  if (getuid() == 0 && spec.drop_to_nobody) {
    setgroups(0, nullptr);
    if (setgid(nobody) != 0 || setuid(nobody) != 0) _exit(126);
  }
  execve(argv[0], argv, environment);
  _exit(127);
}

}  // namespace

bool bubblewrap_available() {
  static const bool available = [] {
    if (access(bwrap, X_OK) != 0) return false;
    SandboxSpec probe;
    probe.argv = {"/usr/bin/true"};
    probe.limits.wall = std::chrono::milliseconds(5000);
    const auto argv = bubblewrap_argv(probe);
    // Probed as the user that will run it: root drops to nobody, who needs unprivileged user namespaces.
    std::string command = getuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
    for (const auto& a : argv) command += "'" + a + "' ";
    return std::system((command + ">/dev/null 2>&1").c_str()) == 0;
  }();
  return available;
}

bool reachable_by_others(const std::filesystem::path& path) {
  const auto absolute = std::filesystem::absolute(path).lexically_normal();
  for (auto p = absolute; ; p = p.parent_path()) {
    struct stat info;
    if (stat(p.c_str(), &info) != 0) return false;
    const bool is_dir = S_ISDIR(info.st_mode);
    if (is_dir && !(info.st_mode & S_IXOTH)) return false;
    if (p == absolute && !(info.st_mode & S_IROTH)) return false;
    if (p == p.root_path()) return true;
  }
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  const char* text = strsignal(sig);
  return std::string("SIG") + (abbrev ? abbrev : std::to_string(sig).c_str()) + " (" + (text ? text : "?") + ")";
}

namespace {

// A minimal environment: the grader's own (tokens, paths, credentials) is none of the student's business.
// OPENBLAS_CORETYPE passes through: the kernels the grader chose (workbook/blas_kernels.hpp) suit the
// student's runner on the same CPU.
std::vector<std::string> sandbox_environment() {
  std::vector<std::string> environment = {"PATH=/usr/bin:/bin", "HOME=/tmp", "LC_ALL=C", "OPENBLAS_NUM_THREADS=1"};
  if (const char* kernels = std::getenv("OPENBLAS_CORETYPE")) environment.push_back(std::string("OPENBLAS_CORETYPE=") + kernels);
  return environment;
}

// strings -> the null-terminated char* array execve takes (pointing into the strings).
std::vector<char*> exec_array(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

SandboxResult run_sandboxed(const SandboxSpec& spec) {
  SandboxResult result;
  result.sandboxed = bubblewrap_available();
  const auto argv = result.sandboxed ? bubblewrap_argv(spec) : spec.argv;
  const auto environment = sandbox_environment();
  const auto argv_array = exec_array(argv), environment_array = exec_array(environment);

  int in[2], out[2], err[2], report[2] = {-1, -1};
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) ||
      (spec.wants_report_fd && pipe2(report, O_CLOEXEC))) {
    result.error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) {
    result.error = std::string("fork: ") + std::strerror(errno);
    return result;
  }
  if (pid == 0) exec_child(argv_array.data(), environment_array.data(), spec, in[0], out[1], err[1], report[1]);
  result.started = true;
  close(in[0]), close(out[1]), close(err[1]);
  if (report[1] >= 0) close(report[1]);

  // Standard input is small (an answers file at most): write it all, then close.
  for (std::size_t done = 0; done < spec.stdin_text.size();) {
    const ssize_t n = write(in[1], spec.stdin_text.data() + done, spec.stdin_text.size() - done);
    if (n <= 0) break;
    done += n;
  }
  close(in[1]);

  struct Stream {
    int fd;
    std::string* text;
    std::size_t cap;
    std::size_t seen = 0;
  };
  std::vector<Stream> streams = {{out[0], &result.out, spec.limits.output_cap},
                                 {err[0], &result.err, spec.limits.output_cap}};
  if (report[0] >= 0) streams.push_back({report[0], &result.report, 16u << 20});
  const auto deadline = start + spec.limits.wall;
  bool flooded = false;
  int status = 0;
  bool exited = false;
  while (true) {
    std::vector<pollfd> fds;
    std::vector<Stream*> polled;
    for (auto& s : streams)
      if (s.fd >= 0) fds.push_back({s.fd, POLLIN, 0}), polled.push_back(&s);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || flooded) {
      result.timed_out = !flooded;
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      break;
    }
    if (fds.empty()) {  // every stream closed: wait for the exit, still under the deadline
      if (waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        break;
      }
      poll(nullptr, 0, 10);
      continue;
    }
    if (poll(fds.data(), fds.size(), std::min<long>(left.count(), 100)) < 0 && errno != EINTR) break;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;  // reading it now would block
      Stream& s = *polled[i];
      char buffer[65536];
      const ssize_t n = read(s.fd, buffer, sizeof buffer);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        close(s.fd);
        s.fd = -1;
      } else if (n > 0) {
        s.seen += n;
        if (s.text->size() < s.cap) s.text->append(buffer, std::min<std::size_t>(n, s.cap - s.text->size()));
        if (s.seen > s.cap && s.text != &result.report) result.output_cut = true;
        if (s.seen > flood && s.text != &result.report) flooded = true;
      }
    }
  }
  for (auto& s : streams)
    if (s.fd >= 0) close(s.fd);
  if (!exited) waitpid(pid, &status, 0);
  result.output_limit = flooded;
  if (!flooded && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  // bubblewrap reports a sandboxed process killed by signal N as exit status 128 + N.
  if (result.sandboxed && result.exit_code > 128 && result.exit_code < 128 + 65) {
    result.signal = result.exit_code - 128;
    result.exit_code = -1;
  }
  if (!flooded && !result.timed_out && WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace workbook::grading
