# wire_bench: peer-wire handshakes/s and transport MB/s over loopback beside the raw X25519 and
# ChaCha20-Poly1305 rates measured in the same run (through the crypto module's API: benchmarks do
# not include <sodium.h>). Included from tests/bench/CMakeLists.txt when benchmarks are enabled.
add_executable(wire_bench wire_bench.cpp)
target_compile_options(wire_bench PRIVATE ${TANDEM_WARNINGS})
target_include_directories(wire_bench PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(wire_bench PRIVATE tandem_wire tandem_crypto Threads::Threads)
