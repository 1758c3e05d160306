#pragma once
// Identifiers: random UUIDv4 (payment ids and UETRs, as in SWIFT gpi) and API keys.
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
// True for the canonical lower- or upper-case 8-4-4-4-12 form with version 4 and an RFC 4122 variant.
bool is_uuid_v4(std::string_view s);

// 32 random bytes from the OS CSPRNG, hex encoded, with a readable prefix.
std::string new_api_key(std::string_view prefix);

}  // namespace deltran
