#include "daemon/wire/frame.hpp"

#include <algorithm>
#include <cstdlib>

namespace tandem::wire {

FrameParser::FrameParser(std::size_t max_payload) : max_payload_(max_payload) {
  if (max_payload_ == 0 || max_payload_ > kMaxFramePayload) std::abort();  // a caller bug
}

Status FrameParser::fail(FrameError e) {
  error_ = e;
  if (e == FrameError::kEmpty) return Error{Code::kCorrupt, "wire: zero-length frame"};
  return Error{Code::kTooLarge, "wire: frame over " + std::to_string(max_payload_) + " bytes"};
}

Result<std::size_t> FrameParser::consume(ByteView in) {
  if (error_ != FrameError::kNone) {
    // Report the same failure again: the stream is unusable.
    auto st = fail(error_);
    return st.error();
  }
  if (complete_) return std::size_t{0};
  std::size_t used = 0;
  while (have_header_ < kFrameHeaderSize) {
    if (used == in.size()) return used;
    header_[have_header_++] = in[used++];
    if (have_header_ == kFrameHeaderSize) {
      expected_ = (std::size_t{header_[0]} << 8) | header_[1];
      if (expected_ == 0) return fail(FrameError::kEmpty).error();
      if (expected_ > max_payload_) return fail(FrameError::kTooLarge).error();
      payload_.clear();
      payload_.reserve(expected_);
    }
  }
  const std::size_t n = std::min(expected_ - payload_.size(), in.size() - used);
  payload_.insert(payload_.end(), in.begin() + used, in.begin() + used + n);
  used += n;
  if (payload_.size() == expected_) complete_ = true;
  return used;
}

std::optional<ByteView> FrameParser::frame() const {
  if (!complete_) return std::nullopt;
  return ByteView(payload_);
}

void FrameParser::pop() {
  if (!complete_) return;
  complete_ = false;
  have_header_ = 0;
  expected_ = 0;
  payload_.clear();
}

Bytes FrameParser::take() {
  if (!complete_) std::abort();  // precondition
  Bytes out = std::move(payload_);
  payload_ = Bytes();
  pop();
  return out;
}

Result<std::vector<Bytes>> parse_frames(FrameParser& parser, ByteView in) {
  std::vector<Bytes> frames;
  while (true) {
    auto n = parser.consume(in);
    if (!n) return n.error();
    in = in.subspan(*n);
    if (parser.frame()) {
      frames.push_back(parser.take());
      continue;
    }
    if (in.empty()) return frames;
  }
}

Result<std::size_t> frame_length(const std::uint8_t header[kFrameHeaderSize],
                                 std::size_t max_payload) {
  const std::size_t n = (std::size_t{header[0]} << 8) | header[1];
  if (n == 0) return Error{Code::kCorrupt, "wire: zero-length frame"};
  if (n > max_payload)
    return Error{Code::kTooLarge, "wire: frame over " + std::to_string(max_payload) + " bytes"};
  return n;
}

void put_frame_header(std::uint8_t* out, std::size_t size) {
  out[0] = static_cast<std::uint8_t>(size >> 8);
  out[1] = static_cast<std::uint8_t>(size);
}

Result<Bytes> encode_frame(ByteView payload) {
  if (payload.empty()) return Error{Code::kInvalidArgument, "wire: empty frame"};
  if (payload.size() > kMaxFramePayload)
    return Error{Code::kTooLarge, "wire: frame payload over 65535 bytes"};
  Bytes out(kFrameHeaderSize + payload.size());
  put_frame_header(out.data(), payload.size());
  std::copy(payload.begin(), payload.end(), out.begin() + kFrameHeaderSize);
  return out;
}

}  // namespace tandem::wire
