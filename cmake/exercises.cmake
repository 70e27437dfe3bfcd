# Every exercise folder exercises/<collection>/<number>/ becomes, with its twin solutions/<collection>/<number>/:
#   ex_<name>        the checks (exercise.cpp) and, for code exercises, the forwarders that carry each call to a
#                    solution's process; linked into `workbook`. The id is the folder (exercise.hpp reads it).
#   bind_<name>      the solution-side bindings (generated from interface.hpp by workbook_bindgen); in the kit
#   solutions_<name> one program holding our solutions, build/solutions/<id>/solutions, started through its links:
#                    the reference:                      build/solutions/<id>/reference
#                    `workbook init`'s stub:             build/solutions/<id>/stub
#                    each mutant and honest alternative: build/solutions/<id>/{mutants,alternatives}/<stem>
#                    (each a patch on solution.cpp: solutions/<id>/{mutants,alternatives}/<stem>.patch)
# and sets, for the top level: WORKBOOK_EXERCISE_OBJECTS, WORKBOOK_INTERFACE_HEADERS, WORKBOOK_KIT_ENTRIES,
# WORKBOOK_BINDING_TARGETS, WORKBOOK_REFERENCE_TARGETS, WORKBOOK_SOLUTION_TEXTS, WORKBOOK_SOLUTIONS_BUILD_DIR,
# WORKBOOK_EXERCISE_LIBRARIES.

# WORKBOOK_ONLY (a regex on ids such as "manual/3") builds a subset: quick iteration on a few exercises.
set(WORKBOOK_ONLY "" CACHE STRING "Build only the exercises whose id matches this regex")
set(WORKBOOK_SOLUTIONS_BUILD_DIR "${CMAKE_BINARY_DIR}/solutions")
set(generated "${CMAKE_BINARY_DIR}/generated")

# Our solutions of an exercise (the reference, the stub, each mutant and honest alternative) are one program,
# build/solutions/<id>/solutions, compiled as one translation unit so that the templates they share are
# instantiated once (workbook_bindgen --variants); reference, stub, mutants/<stem> and alternatives/<stem> beside
# it are links to it, and the name it is started under picks the solution that answers.
function(workbook_solutions_program id name)
  set(out "${generated}/${id}")
  set(variants "reference=${CMAKE_SOURCE_DIR}/solutions/${id}/solution.cpp" "stub=${out}/stub.cpp")
  set(sources "${CMAKE_SOURCE_DIR}/solutions/${id}/solution.cpp" "${out}/stub.cpp")
  set(links reference stub)
  foreach(kind mutants alternatives)
    file(GLOB patches CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/solutions/${id}/${kind}/*.patch")
    foreach(patch IN LISTS patches)
      get_filename_component(stem "${patch}" NAME_WE)
      set(source "${out}/${kind}/${stem}.cpp")
      add_custom_command(OUTPUT "${source}"
                         COMMAND ${PATCH_PROGRAM} --silent --force --reject-file=- --no-backup-if-mismatch
                                 --output=${source} ${CMAKE_SOURCE_DIR}/solutions/${id}/solution.cpp ${patch}
                         DEPENDS "${patch}" "${CMAKE_SOURCE_DIR}/solutions/${id}/solution.cpp"
                         COMMENT "Applying ${kind} patch ${id}/${stem}")
      list(APPEND variants "${kind}/${stem}=${source}")
      list(APPEND sources "${source}")
      list(APPEND links "${kind}/${stem}")
    endforeach()
  endforeach()
  add_custom_command(OUTPUT "${out}/variants.cpp" "${out}/variant-include/${id}/interface.hpp"
                     COMMAND workbook_bindgen --variants "${CMAKE_SOURCE_DIR}/exercises/${id}/interface.hpp" "${id}" "${out}" ${variants}
                     DEPENDS workbook_bindgen "${CMAKE_SOURCE_DIR}/exercises/${id}/interface.hpp" ${sources}
                     COMMENT "Writing the solutions program of ${id}")
  set(target solutions_${name})
  add_executable(${target} "${out}/variants.cpp")
  target_include_directories(${target} BEFORE PRIVATE "${out}/variant-include")
  target_compile_options(${target} PRIVATE -Wno-unused-parameter -Wno-unused-variable)  # the stub's parameters, a mutant's leftovers
  target_link_libraries(${target} PRIVATE workbook_solution_server workbook_nn)  # a solution may use what the kit offers
  workbook_use_pch(${target})
  set(dir "${WORKBOOK_SOLUTIONS_BUILD_DIR}/${id}")
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${dir}" OUTPUT_NAME solutions)
  foreach(link IN LISTS links)
    get_filename_component(link_dir "${link}" DIRECTORY)
    set(to "solutions")
    if(link_dir)
      set(to "../solutions")
      add_custom_command(TARGET ${target} POST_BUILD COMMAND ${CMAKE_COMMAND} -E make_directory "${dir}/${link_dir}")
    endif()
    add_custom_command(TARGET ${target} POST_BUILD COMMAND ${CMAKE_COMMAND} -E create_symlink "${to}" "${dir}/${link}")
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

    workbook_solutions_program(${id} ${name})
    list(APPEND reference_targets solutions_${name})
  endif()
  file(STRINGS "${exercise_file}" uses_nn REGEX "#include \"nn/")
  if(uses_nn)
    set(exercises_use_nn ON)
  endif()
  add_library(ex_${name} OBJECT ${sources})
  # The checks and their forwarders as one translation unit: the precompiled header is loaded once and the
  # templates both use are instantiated once (1-3 s less per code exercise).
  set_target_properties(ex_${name} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 0)
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
