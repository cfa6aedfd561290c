// Splits one fuzz input into the choices and byte strings a target needs. Integers and booleans
// come from the END of the input and byte strings from the FRONT (the convention of libFuzzer's
// FuzzedDataProvider, so a seed is "the real message, then a few choice bytes"). Our own, small
// and header-only, so the targets also build with GCC for the replay tests.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace tandem::fuzz {

class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  std::size_t remaining_bytes() const { return size_; }

  // An integer in [lo, hi], from as few trailing bytes as the range needs (lo when none are
  // left). Precondition: lo <= hi.
  template <class T>
  T integral_in_range(T lo, T hi) {
    static_assert(std::is_integral_v<T>);
    const auto range = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    std::uint64_t v = 0;
    for (std::size_t bits = 0; bits < 64 && (range >> bits) != 0 && size_ > 0; bits += 8) {
      v = (v << 8) | data_[--size_];
    }
    if (range != ~std::uint64_t{0}) v %= range + 1;
    return static_cast<T>(static_cast<std::uint64_t>(lo) + v);
  }
  template <class T>
  T integral() {
    return integral_in_range<T>(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
  }
  bool boolean() { return (integral<std::uint8_t>() & 1) != 0; }

  // Up to `n` bytes from the front.
  std::vector<std::uint8_t> bytes(std::size_t n) {
    n = std::min(n, size_);
    std::vector<std::uint8_t> out(data_, data_ + n);
    data_ += n;
    size_ -= n;
    return out;
  }
  // Everything left.
  std::vector<std::uint8_t> rest() { return bytes(size_); }
  std::span<const std::uint8_t> rest_view() {
    std::span<const std::uint8_t> out(data_, size_);
    data_ += size_;
    size_ = 0;
    return out;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
};

}  // namespace tandem::fuzz
