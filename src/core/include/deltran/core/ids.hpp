#pragma once
// Identifiers: UUIDv7 payment ids (time-ordered, so the store's index of them grows at
// its end rather than at random pages), random UUIDv4 UETRs (as SWIFT gpi requires) and
// API keys.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace deltran {

// A participant inside the core: a dense number given when it is created (1, 2, 3 …). Its
// BIC is its name at the edges (API, events, store rows).
using ParticipantId = uint32_t;

// A UUIDv4 from a per-thread generator seeded from the OS CSPRNG.
std::string new_uuid_v4();
// A UUIDv7 (RFC 9562): the time to a quarter microsecond, then 62 random bits.
std::string new_uuid_v7();
// True for the canonical lower- or upper-case 8-4-4-4-12 form with the given version digit
// and the RFC 9562 variant.
bool is_uuid(std::string_view s, char version);
bool is_uuid_v4(std::string_view s);

// 32 random bytes from the OS CSPRNG, hex encoded, with a readable prefix.
std::string new_api_key(std::string_view prefix);

}  // namespace deltran
