# One place for warnings, sanitizers and the shape of every target, so a folder's
# CMakeLists.txt says only what it builds from what.

add_library(ps_warnings INTERFACE)
target_compile_options(ps_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
    $<$<BOOL:${PS_WERROR}>:-Werror>
    # GCC 12 reports false positives from inside nlohmann::json iterators inlined into our
    # code, and -Wrestrict ones from std::string assignments inlined at -O2 (GCC bug 105329).
    $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized -Wno-restrict>)
if(PS_SANITIZE)
    target_compile_options(ps_warnings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(ps_warnings INTERFACE -fsanitize=address,undefined)
endif()

# ps_add_library(name SOURCES ... [PUBLIC_LINKS ...] [PRIVATE_LINKS ...])
function(ps_add_library name)
    cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_LINKS;PRIVATE_LINKS" ${ARGN})
    add_library(${name} STATIC ${ARG_SOURCES})
    target_include_directories(${name} PUBLIC "${PROJECT_SOURCE_DIR}")
    target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_LINKS} PRIVATE ps_warnings ${ARG_PRIVATE_LINKS})
    set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()

# ps_add_executable(name SOURCES ... LINKS ...)
function(ps_add_executable name)
    cmake_parse_arguments(ARG "" "" "SOURCES;LINKS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE ps_warnings ${ARG_LINKS})
    # Only load the shared libraries an executable really uses: the CLI's run path must not
    # load VTK (and, through it, MPI) just because ps_widgets can draw in 3-D.
    target_link_options(${name} PRIVATE LINKER:--as-needed)
endfunction()

# ps_add_test(tst_name SOURCES ... LINKS ... [GUI] [LABELS ...] [TIMEOUT s] [ENV ...])
# A Qt Test executable registered with CTest. GUI tests run on the offscreen platform;
# anything that needs a real X server (VTK) runs under the Xvfb that `make test` starts.
function(ps_add_test name)
    cmake_parse_arguments(ARG "GUI" "TIMEOUT" "SOURCES;LINKS;LABELS;ENV" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    set_target_properties(${name} PROPERTIES AUTOMOC ON
        RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests")
    target_link_libraries(${name} PRIVATE ps_warnings Qt6::Test ${ARG_LINKS})
    target_compile_definitions(${name} PRIVATE
        PS_SOURCE_DIR="${PROJECT_SOURCE_DIR}" PS_BINARY_DIR="${CMAKE_BINARY_DIR}"
        QT_NO_KEYWORDS)
    add_test(NAME ${name} COMMAND ${name})
    set(env "PS_TEST_TMP=${CMAKE_BINARY_DIR}/test-tmp" ${ARG_ENV})
    if(ARG_GUI)
        list(APPEND env "QT_QPA_PLATFORM=offscreen")
    endif()
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    set_tests_properties(${name} PROPERTIES ENVIRONMENT "${env}" TIMEOUT ${ARG_TIMEOUT}
        LABELS "${ARG_LABELS}")
endfunction()
