#pragma once
// The checks' side of the channel to a solution's process. The checks of an exercise call the interface
// functions as if they were linked in (`ch10_12::online_stats(s, 64)`); what is linked in is a forwarder,
// written by the build from the interface header, that sends the arguments to the process running the
// solution (the reference, a mutant, or a student's code in the sandbox) and returns what it sends back.
// Nothing in that process sees a check, an expected value or a point: it can only answer calls.
//
//   request: ["online_stats", [scores, block_size]]
//   reply:   {"ok": result, "out": [each non-const reference argument, after the call]}
//         or {"error": "not_implemented" | "out_of_memory" | "exception" | "bad_request", "message": "..."}

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "workbook/check.hpp"
#include "workbook/remote/wire.hpp"

namespace workbook::remote {

// The solution's process is gone or stopped answering (it crashed, ran out of time or memory, or sent
// something that is not a reply). Nothing more can be asked of it: the exercise ends here.
class ImplementationLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The solution threw an exception that was not NotImplemented or std::bad_alloc; what() is its message.
class SolutionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Carries one request to the solution's process and brings back its reply.
class Channel {
 public:
  virtual ~Channel() = default;
  virtual wire::json call(const wire::json& request) = 0;
  // True once the process is gone: every later call would throw ImplementationLost.
  virtual bool lost() const = 0;
};

// While a Session lives, this thread's forwarders use its channel (one exercise's run).
class Session {
 public:
  explicit Session(Channel& channel);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

 private:
  Channel* previous_;
};

// Sends one call and returns the reply's "ok" and "out" parts; a reply that reports an error is raised
// here as NotImplemented, std::bad_alloc or SolutionError, so the checks see what an in-process call
// would have thrown.
std::pair<wire::json, wire::json> call(const char* function, wire::json arguments);

namespace detail {
template <class P>
inline constexpr bool is_out_parameter =
    std::is_lvalue_reference_v<P> && !std::is_const_v<std::remove_reference_t<P>>;

template <class P>
void write_back(const wire::json& out, std::size_t& next, std::remove_reference_t<P>& argument, const char* function) {
  if constexpr (is_out_parameter<P>) {
    if (!out.is_array() || next >= out.size()) throw wire::WireError(std::string(function) + ": reply lacks an argument");
    wire::decode(out[next++], argument, std::string(function) + "'s argument");
  }
}
}  // namespace detail

template <class F>
struct Forward;

// The body of every generated forwarder: `return Forward<decltype(&f)>::call("f", a, b);`.
template <class R, class... P>
struct Forward<R (*)(P...)> {
  static R call(const char* function, P... args) {
    wire::json arguments = wire::json::array();
    (arguments.push_back(wire::encode(static_cast<const std::decay_t<P>&>(args))), ...);
    auto [result, out] = remote::call(function, std::move(arguments));
    std::size_t next = 0;
    (detail::write_back<P>(out, next, args, function), ...);
    if constexpr (!std::is_void_v<R>) {
      R value{};
      wire::decode(result, value, std::string(function) + "'s result");
      return value;
    }
  }
};

}  // namespace workbook::remote
