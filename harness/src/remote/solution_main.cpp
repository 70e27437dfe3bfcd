// The program a student's solution is linked into: it answers the checks' calls on file descriptors 3
// (requests in) and 4 (replies out). See workbook/remote/channel.hpp. (Our own solutions of an exercise are
// built together as one program instead: workbook::remote::serve_variant.)

#include "workbook/remote/server.hpp"

int main() { return workbook::remote::serve_solution(); }
