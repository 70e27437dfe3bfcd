// `workbook dev check`: written later in this file.
#include "options.hpp"

namespace workbook::cli {
int dev_command(const Args&) { return ok; }
}  // namespace workbook::cli
