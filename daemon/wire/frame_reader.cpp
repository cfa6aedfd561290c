#include "daemon/wire/frame_reader.hpp"

#include "daemon/wire/frame.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace tandem::wire {

namespace noise = crypto::noise;

FrameReader::FrameReader(std::size_t buffer_size) : rbuf_(buffer_size) {
  if (buffer_size < kFrameHeaderSize) std::abort();  // a caller bug
}

void FrameReader::preload(ByteView bytes) {
  if (rend_ != 0 || in_body_) std::abort();  // precondition: nothing read yet
  if (bytes.empty()) return;
  if (bytes.size() > rbuf_.size()) rbuf_.resize(bytes.size());
  std::memcpy(rbuf_.data(), bytes.data(), bytes.size());
  rend_ = bytes.size();
}

Result<std::optional<Bytes>> FrameReader::fail(Error e) {
  error_ = e;
  return e;
}

Result<std::optional<Bytes>> FrameReader::next(noise::Transport& transport) {
  if (error_) return *error_;
  if (in_body_) {
    if (body_have_ < body_.size()) return std::optional<Bytes>();
    // The whole body is here: decrypt it in place.
    Bytes frame = std::move(body_);
    body_ = Bytes();
    in_body_ = false;
    auto n = transport.decrypt({}, frame, std::span<std::uint8_t>(frame));
    if (!n) return fail(n.error());
    frame.resize(*n);
    return std::optional<Bytes>(std::move(frame));
  }
  const std::size_t avail = rend_ - rpos_;
  if (avail >= kFrameHeaderSize) {
    auto len = frame_length(rbuf_.data() + rpos_);
    if (len && *len < noise::kTagSize)
      len = Error{Code::kCorrupt, "wire: frame shorter than a tag"};
    if (!len) return fail(len.error());
    const std::uint8_t* payload = rbuf_.data() + rpos_ + kFrameHeaderSize;
    const std::size_t here = avail - kFrameHeaderSize;
    if (here >= *len) {
      // Whole in the read buffer: decrypt from there straight into the message.
      rpos_ += kFrameHeaderSize + *len;
      Bytes out(*len - noise::kTagSize);
      auto n = transport.decrypt({}, ByteView(payload, *len), std::span<std::uint8_t>(out));
      if (!n) return fail(n.error());
      return std::optional<Bytes>(std::move(out));
    }
    // Partial: what is here goes into the frame's own buffer, the rest is read straight into it.
    body_.resize(*len);
    std::memcpy(body_.data(), payload, here);
    body_have_ = here;
    in_body_ = true;
    rpos_ = rend_ = 0;
    return std::optional<Bytes>();
  }
  // Less than a header: keep its byte (if any) at the front and read more behind it.
  if (rpos_ > 0) {
    if (avail > 0) rbuf_[0] = rbuf_[rpos_];
    rpos_ = 0;
    rend_ = avail;
  }
  return std::optional<Bytes>();
}

FrameReader::Space FrameReader::space() {
  if (in_body_) {
    // rbuf_ is empty here (rpos_ == rend_ == 0): it takes whatever follows the body.
    return {std::span<std::uint8_t>(body_.data() + body_have_, body_.size() - body_have_),
            std::span<std::uint8_t>(rbuf_)};
  }
  return {std::span<std::uint8_t>(rbuf_.data() + rend_, rbuf_.size() - rend_), {}};
}

void FrameReader::filled(std::size_t n) {
  if (!in_body_) {
    rend_ += n;
    return;
  }
  const std::size_t to_body = std::min(n, body_.size() - body_have_);
  body_have_ += to_body;
  rend_ = n - to_body;
}

}  // namespace tandem::wire
