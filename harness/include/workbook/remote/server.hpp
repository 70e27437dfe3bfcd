#pragma once
// The solution's side of the channel (see channel.hpp): a process that holds one exercise's interface
// functions, as written by the reference, a mutant or a student, and answers calls to them. It knows
// nothing of the checks. The build writes the bindings from the interface header:
//
//   const workbook::remote::Bindings bindings{{"online_stats", workbook::remote::bind(&ch10_12::online_stats)}};

#include <functional>
#include <initializer_list>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "workbook/remote/wire.hpp"

namespace workbook::remote {

// Decodes the arguments, calls the function, encodes {"ok": result, "out": [...]}.
using Handler = std::function<wire::json(const wire::json& arguments)>;

template <class R, class... P>
Handler bind(R (*function)(P...)) {
  return [function](const wire::json& arguments) {
    if (!arguments.is_array() || arguments.size() != sizeof...(P))
      throw wire::WireError("expected " + std::to_string(sizeof...(P)) + " arguments");
    std::tuple<std::decay_t<P>...> values;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (wire::decode(arguments[I], std::get<I>(values), "argument " + std::to_string(I + 1)), ...);
    }(std::index_sequence_for<P...>{});
    wire::json reply = {{"ok", nullptr}, {"out", wire::json::array()}};
    if constexpr (std::is_void_v<R>)
      std::apply(function, values);
    else
      reply["ok"] = wire::encode(std::apply(function, values));
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((std::is_lvalue_reference_v<P> && !std::is_const_v<std::remove_reference_t<P>>
            ? reply["out"].push_back(wire::encode(std::get<I>(values)))
            : void()),
       ...);
    }(std::index_sequence_for<P...>{});
    return reply;
  };
}

// The exercise's functions by name. One object per solution process, made by the generated bindings.
class Bindings {
 public:
  Bindings(std::initializer_list<std::pair<const char*, Handler>> handlers);
};

// Answers requests read from `requests_fd` on `replies_fd` until the requests end. Returns the exit status.
int serve(int requests_fd, int replies_fd);

// A solution process's main: one BLAS thread, the checks' requests on descriptor 3, the replies on 4.
int serve_solution();

// Several solutions of one exercise built as one program (cmake/exercises.cmake): the path it was started
// under names the one that answers, as "<dir>/reference", "<dir>/stub" or "<dir>/mutants/<stem>", each a
// link to the program. `bind` makes that solution's Bindings.
struct Variant {
  const char* name;
  void (*bind)();
};
int serve_variant(const std::string& started_as, std::initializer_list<Variant> variants);

}  // namespace workbook::remote
