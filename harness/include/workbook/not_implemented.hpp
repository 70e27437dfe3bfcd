#pragma once
// What a function of `workbook init`'s files throws until the student writes it: the check reports
// "not implemented" instead of a failure of some other kind. (The one harness header in the student kit.)

#include <stdexcept>
#include <string>

namespace workbook {

class NotImplemented : public std::logic_error {
 public:
  explicit NotImplemented(const std::string& function) : std::logic_error("not implemented: " + function) {}
};

}  // namespace workbook
