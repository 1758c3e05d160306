# Shared helpers: warnings, sanitizers, and one-line declarations of libraries and tests.

# -Wno-restrict: GCC 12 reports false positives in std::string concatenation at -O3
# (GCC bug 105329); the check stays on with other compilers.
set(DELTRAN_WARNINGS -Wall -Wextra -Wshadow -Wconversion)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND DELTRAN_WARNINGS -Wno-restrict)
endif()
if(DELTRAN_WERROR)
  list(APPEND DELTRAN_WARNINGS -Werror)
endif()
if(DELTRAN_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# deltran_library(NAME SOURCES ... DEPS ...): target deltran_<name>, alias deltran::<name>,
# public headers under src/<name>/include.
function(deltran_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(deltran_${name} STATIC ${ARG_SOURCES})
  add_library(deltran::${name} ALIAS deltran_${name})
  target_include_directories(deltran_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(deltran_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  target_compile_options(deltran_${name} PRIVATE ${DELTRAN_WARNINGS})
endfunction()

# deltran_test(NAME SOURCES ... DEPS ... LABELS ...): a GoogleTest binary registered with CTest.
function(deltran_test name)
  if(NOT DELTRAN_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_options(${name} PRIVATE ${DELTRAN_WARNINGS})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()

# deltran_benchmark(NAME SOURCES ... DEPS ...): a Google Benchmark binary (not a test).
function(deltran_benchmark name)
  if(NOT DELTRAN_BENCH)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark)
  target_compile_options(${name} PRIVATE ${DELTRAN_WARNINGS})
endfunction()
