# nlohmann/json.hpp defines two inline user-defined literals, "..."_json and "..."_json_pointer. Their bodies call
# the parser, so GCC instantiates the whole parser at the end of every translation unit that includes the header,
# precompiled or not: 0.6 s of an empty unit's 1.2 s with our precompiled header, in about 440 units, though no
# code here uses them. The build includes a copy of the packaged header without the two literals (configure time,
# from the installed file); where the text is not the expected one, the copy is the header unchanged.
# Sets WORKBOOK_TRIMMED_JSON_DIR, to be searched before the system's headers.
find_file(NLOHMANN_JSON_HPP nlohmann/json.hpp REQUIRED)
set(WORKBOOK_TRIMMED_JSON_DIR "${CMAKE_BINARY_DIR}/trimmed-json")
file(READ "${NLOHMANN_JSON_HPP}" json_text)
set(first "JSON_HEDLEY_NON_NULL(1)\ninline nlohmann::json operator \"\" _json(")
set(after "}  // namespace json_literals")
string(FIND "${json_text}" "${first}" begin)
string(FIND "${json_text}" "${after}" end)
if(begin GREATER 0 AND end GREATER begin)
  string(SUBSTRING "${json_text}" 0 ${begin} head)
  string(SUBSTRING "${json_text}" ${end} -1 tail)
  # The global using-declarations of the two literals (JSON_USE_GLOBAL_UDLS) name what is gone.
  string(REGEX REPLACE "using nlohmann::literals::json_literals::operator \"\" _json(_pointer)?;" "" tail "${tail}")
  set(json_text "${head}${tail}")
else()
  message(STATUS "nlohmann/json.hpp: literals not found where expected; using the header unchanged")
endif()
# Written only when it changes: a new timestamp would rebuild every unit.
file(MAKE_DIRECTORY "${WORKBOOK_TRIMMED_JSON_DIR}/nlohmann")
file(WRITE "${WORKBOOK_TRIMMED_JSON_DIR}/json.hpp.new" "${json_text}")
file(COPY_FILE "${WORKBOOK_TRIMMED_JSON_DIR}/json.hpp.new" "${WORKBOOK_TRIMMED_JSON_DIR}/nlohmann/json.hpp" ONLY_IF_DIFFERENT)
