#pragma once
// Thin wrappers over OpenSSL: hashing and HMAC for keys, audit chains and signatures.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace deltran {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest sha256(std::string_view data);
std::string sha256_hex(std::string_view data);
std::string to_hex(const uint8_t* data, size_t size);
// Fills `out` with bytes from the OS CSPRNG; aborts if the CSPRNG fails.
void random_bytes(uint8_t* out, size_t size);
// Comparison whose time does not depend on where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace deltran
