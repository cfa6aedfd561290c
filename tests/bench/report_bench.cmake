# report_bench: the reciprocity report through a real tandemd (a `report` request on its socket) over
# 10,000 and 1,000,000 entries beside a plain LMDB scan of the same entries. Included from
# tests/bench/CMakeLists.txt when benchmarks are enabled.
add_executable(report_bench report_bench.cpp)
target_compile_options(report_bench PRIVATE ${TANDEM_WARNINGS})
target_include_directories(report_bench PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(report_bench PRIVATE tandem_app tandem_api tandem_insight tandem_store tandem_crypto
                      tandem_test_support tandem_proto)
add_dependencies(report_bench tandemd)
