// Secret key files: 0600 files in a 0700 directory, read straight into secret memory.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"
#include "daemon/crypto/secret.hpp"

#include <string>

namespace tandem::store {

// Writes `secret` to `path` atomically (temp file 0600, fsync, rename, fsync of the directory).
// Refuses to overwrite an existing file (kAlreadyInitialized).
template <std::size_t N>
Status write_key_file(const std::string& path, const crypto::Secret<N>& secret);

// As write_key_file, but replaces an existing file (atomically: the old or the new key is there
// after a crash, never neither).
template <std::size_t N>
Status replace_key_file(const std::string& path, const crypto::Secret<N>& secret);

// Reads exactly N bytes. kNotFound when missing; kIo when the file is readable by group or others
// (a key someone else could have read is not trusted); kCorrupt when it has the wrong size.
template <std::size_t N>
Result<crypto::Secret<N>> read_key_file(const std::string& path);

// Reads a whole file that must be 0600 and this user's (as read_key_file) into ordinary memory:
// for files that hold sealed keys, not raw ones. kCorrupt when it is longer than `max` bytes.
Result<Bytes> read_private_file(const std::string& path, std::size_t max);

// Creates `dir` (and any missing parent) with mode 0700; kIo if `dir` exists with group/other
// access or another owner.
Status ensure_private_dir(const std::string& dir);

// Plain (public) file helpers for the same directory, written atomically.
Status write_file_atomic(const std::string& path, ByteView bytes, unsigned mode);
Result<Bytes> read_file(const std::string& path);

}  // namespace tandem::store
