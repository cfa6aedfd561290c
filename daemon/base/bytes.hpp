// Byte helpers: owned byte strings, hex, big-endian integers. No secrets here (see crypto/).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tandem {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

std::string to_hex(ByteView bytes);
// Parses lower- or upper-case hex; nullopt on an odd length or a non-hex character.
std::optional<Bytes> from_hex(std::string_view hex);

void put_be64(std::uint8_t* out, std::uint64_t v);
std::uint64_t get_be64(const std::uint8_t* in);
void put_be32(std::uint8_t* out, std::uint32_t v);
std::uint32_t get_be32(const std::uint8_t* in);

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace tandem
