# Every exercise folder exercises/<collection>/<number>/ becomes, with its twin solutions/<collection>/<number>/:
#   ex_<name>        the checks (exercise.cpp) and, for code exercises, the forwarders that carry each call to a
#                    solution's process; linked into `workbook`. The id is the folder (exercise.hpp reads it).
#   bind_<name>      the solution-side bindings (generated from interface.hpp by workbook_bindgen); in the kit
#   solution_<name>  the reference solution's process:   build/solutions/<id>/reference
#   stub_<name>      `workbook init`'s stub, a process:   build/solutions/<id>/stub
#   one process per mutant and per honest alternative:   build/solutions/<id>/{mutants,alternatives}/<stem>
#                    (each a patch on solution.cpp: solutions/<id>/{mutants,alternatives}/<stem>.patch)
# and sets, for the top level: WORKBOOK_EXERCISE_OBJECTS, WORKBOOK_INTERFACE_HEADERS, WORKBOOK_KIT_ENTRIES,
# WORKBOOK_BINDING_TARGETS, WORKBOOK_REFERENCE_TARGETS, WORKBOOK_SOLUTION_TEXTS, WORKBOOK_SOLUTIONS_BUILD_DIR,
# WORKBOOK_EXERCISE_LIBRARIES.

# WORKBOOK_ONLY (a regex on ids such as "manual/3") builds a subset: quick iteration on a few exercises.
set(WORKBOOK_ONLY "" CACHE STRING "Build only the exercises whose id matches this regex")
set(WORKBOOK_SOLUTIONS_BUILD_DIR "${CMAKE_BINARY_DIR}/solutions")
set(generated "${CMAKE_BINARY_DIR}/generated")

# A solution's process: the solution's source, the exercise's bindings, the main that answers calls.
# A reference that includes the nn library (nn/...) is linked with it; the others are not, as a student's are not.
function(workbook_solution_process target source name output)
  add_executable(${target} ${source} $<TARGET_OBJECTS:bind_${name}> $<TARGET_OBJECTS:workbook_solution_main>)
  target_link_libraries(${target} PRIVATE workbook_solution_server)
  if(EXISTS "${source}")
    file(STRINGS "${source}" uses_nn REGEX "#include \"nn/")
    if(uses_nn)
      target_link_libraries(${target} PRIVATE workbook_nn)
    endif()
  endif()
  workbook_use_pch(${target})
  get_filename_component(dir "${output}" DIRECTORY)
  get_filename_component(file "${output}" NAME)
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${dir}" OUTPUT_NAME "${file}")
endfunction()

# Mutants and alternatives: each patch applied to the reference, then built as its own process.
function(workbook_patched_processes id name kind)
  file(GLOB patches CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/solutions/${id}/${kind}/*.patch")
  foreach(patch IN LISTS patches)
    get_filename_component(stem "${patch}" NAME_WE)
    set(source "${generated}/${id}/${kind}/${stem}.cpp")
    add_custom_command(OUTPUT "${source}"
                       COMMAND ${PATCH_PROGRAM} --silent --force --reject-file=- --no-backup-if-mismatch
                               --output=${source} ${CMAKE_SOURCE_DIR}/solutions/${id}/solution.cpp ${patch}
                       DEPENDS "${patch}" "${CMAKE_SOURCE_DIR}/solutions/${id}/solution.cpp"
                       COMMENT "Applying ${kind} patch ${id}/${stem}")
    string(MAKE_C_IDENTIFIER "${kind}_${name}_${stem}" target)
    workbook_solution_process(${target} "${source}" ${name} "${WORKBOOK_SOLUTIONS_BUILD_DIR}/${id}/${kind}/${stem}")
  endforeach()
endfunction()

file(GLOB exercise_files CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/exercises/*/*/exercise.cpp")
set(objects "")
set(interfaces "")
set(kit_entries "")
set(binding_targets "")
set(reference_targets "")
foreach(exercise_file IN LISTS exercise_files)
  get_filename_component(dir "${exercise_file}" DIRECTORY)
  file(RELATIVE_PATH id "${CMAKE_SOURCE_DIR}/exercises" "${dir}")
  if(WORKBOOK_ONLY AND NOT id MATCHES "${WORKBOOK_ONLY}")
    continue()
  endif()
  string(MAKE_C_IDENTIFIER "${id}" name)
  set(sources "${exercise_file}")
  if(EXISTS "${dir}/interface.hpp")
    set(out "${generated}/${id}")
    add_custom_command(OUTPUT "${out}/fields.hpp" "${out}/checks_bindings.cpp" "${out}/solution_bindings.cpp" "${out}/stub.cpp"
                       COMMAND workbook_bindgen "${dir}/interface.hpp" "${id}" "${out}"
                       DEPENDS workbook_bindgen "${dir}/interface.hpp"
                       COMMENT "Writing the channel bindings of ${id}")
    list(APPEND sources "${out}/checks_bindings.cpp")
    list(APPEND interfaces "exercises/${id}/interface.hpp")

    add_library(bind_${name} OBJECT "${out}/solution_bindings.cpp")
    target_include_directories(bind_${name} PRIVATE "${out}")
    workbook_use_pch(bind_${name})
    list(APPEND binding_targets bind_${name})
    list(APPEND kit_entries "\"${id}\": \"$<TARGET_OBJECTS:bind_${name}>\"")

    workbook_solution_process(solution_${name} "${CMAKE_SOURCE_DIR}/solutions/${id}/solution.cpp" ${name}
                              "${WORKBOOK_SOLUTIONS_BUILD_DIR}/${id}/reference")
    list(APPEND reference_targets solution_${name})
    workbook_solution_process(stub_${name} "${out}/stub.cpp" ${name} "${WORKBOOK_SOLUTIONS_BUILD_DIR}/${id}/stub")
    workbook_patched_processes(${id} ${name} mutants)
    workbook_patched_processes(${id} ${name} alternatives)
  endif()
  file(STRINGS "${exercise_file}" uses_nn REGEX "#include \"nn/")
  if(uses_nn)
    set(exercises_use_nn ON)
  endif()
  add_library(ex_${name} OBJECT ${sources})
  # The checks may use the nn library on the trusted side (a model trained with the student's piece, a
  # reference stack to compare with): its headers, and `workbook` links it.
  target_include_directories(ex_${name} PRIVATE "${generated}/${id}" "${CMAKE_SOURCE_DIR}/nn/include")
  workbook_use_pch(ex_${name})
  list(APPEND objects $<TARGET_OBJECTS:ex_${name}>)
endforeach()

file(GLOB_RECURSE WORKBOOK_SOLUTION_TEXTS CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/solutions/*.toml")
set(WORKBOOK_EXERCISE_OBJECTS ${objects})
# The nn library, when some exercise's checks use it: what `workbook` and the tests that hold the checks link.
set(WORKBOOK_EXERCISE_LIBRARIES "")
if(exercises_use_nn)
  set(WORKBOOK_EXERCISE_LIBRARIES workbook_nn)
endif()
set(WORKBOOK_INTERFACE_HEADERS ${interfaces})
set(WORKBOOK_KIT_ENTRIES ${kit_entries})
set(WORKBOOK_BINDING_TARGETS ${binding_targets})
set(WORKBOOK_REFERENCE_TARGETS ${reference_targets})
