# The report's surroundings, end to end: the CLI's report, checkin and upcoming commands against
# a real tandemd, the interactive check-in through a pseudo-terminal, and the HTML page rendered
# by headless Chromium (skipped when /usr/bin/chromium is absent).
# Included from tests/integration/CMakeLists.txt.
if(NOT TARGET tandem)
  return()
endif()

tandem_test(cli_report_tests SOURCES ${CMAKE_CURRENT_LIST_DIR}/cli_report_test.cpp DEPS tandem_test_support)
add_dependencies(cli_report_tests tandemd tandem)
target_compile_definitions(cli_report_tests PRIVATE TANDEM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                           TANDEM_BINARY_DIR="${PROJECT_BINARY_DIR}")

find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_test(NAME report_html_chromium
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/report_html_test.py
                   ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
  set_tests_properties(report_html_chromium PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 180
                       LABELS "integration;browser")

  add_test(NAME cli_checkin_interactive
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/checkin_pty_test.py
                   ${PROJECT_BINARY_DIR})
  set_tests_properties(cli_checkin_interactive PROPERTIES TIMEOUT 60 LABELS "integration")

  add_test(NAME cli_passphrase_interactive
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/passphrase_pty_test.py
                   ${PROJECT_BINARY_DIR})
  set_tests_properties(cli_passphrase_interactive PROPERTIES TIMEOUT 60 LABELS "integration")
endif()

tandem_test(report_snapshot_tests SOURCES ${CMAKE_CURRENT_LIST_DIR}/report_snapshot_test.cpp
            DEPS tandem_test_support)
add_dependencies(report_snapshot_tests tandemd)
