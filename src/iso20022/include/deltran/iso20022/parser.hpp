#pragma once
// Parses pain.001 (001.001.03 .. 001.001.12) and pacs.008 (001.001.08 .. 001.001.13) into the
// canonical model, streaming: one transaction is held at a time, so memory beyond the
// result does not grow with the number of transactions.
//
// Hardened: any DOCTYPE is refused (so no DTD, no entity declaration or expansion, no
// external entity), nothing is fetched from the network or the file system, and size,
// depth, element, attribute and text limits apply. Only UTF-8 is accepted (a BOM is fine).
//
// Accepted shapes: a bare <Document>, or an envelope of any name (e.g. urn:swift:xsd:envelope
// or SAA DataPDU) holding an optional head.001 <AppHdr> and one <Document>; any namespace
// prefixes; national profiles whose namespace embeds the base id (e.g. SIX
// http://www.six-interbank-clearing.com/de/pain.001.001.03.ch.02.xsd) map to their base.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <deltran/core/result.hpp>
#include <deltran/iso20022/model.hpp>

namespace deltran::iso20022 {

class SchemaSet;

struct Limits {
  size_t max_bytes = 64u << 20;       // whole message
  uint32_t max_depth = 32;            // element nesting, envelope included
  size_t max_elements = 5'000'000;    // all elements
  size_t max_transactions = 200'000;  // CdtTrfTxInf blocks
  size_t max_text_bytes = 64u << 10;  // one text node (XML signatures in AppHdr are large)
  uint32_t max_attributes = 32;       // per element, namespace declarations included
};

struct ParseOptions {
  Limits limits;
  // Versions with an XSD in this set are schema-validated, the others checked structurally.
  // Null: everything is checked structurally.
  const SchemaSet* schemas = nullptr;
  // Refuse any other message type with FF01 (an endpoint for pain.001 only, say).
  std::optional<MessageType> expected_type;
  // DelTran's idempotency key for ISO messages is MsgId + EndToEndId, so a second
  // transaction with the same EndToEndId in one message is rejected with DUPL.
  bool reject_duplicate_end_to_end_id = true;
  // A schema error inside one transaction normally rejects only that transaction (FF01, or
  // RC01/AC01/AM12/DT01 by element); with this set it rejects the whole message.
  bool schema_error_rejects_message = false;
};

// Parses, validates and maps a message. Per-transaction problems are TransactionResult
// rejections; whole-message problems (not XML, hostile, limits, unsupported type or
// version, group header invalid, NbOfTxs or CtrlSum of the group wrong) are an Error:
// kInvalidArgument, or kResourceExhausted for a limit, whose message reads
// "<reason code> at <path>: <text>" (see rejection_of).
[[nodiscard]] Result<ParsedMessage> parse_message(std::string_view xml,
                                                  const ParseOptions& options = {});

// Reads only as far as the end of the group header, without schema validation: message
// type, version, MsgId, creation time, counts and the AppHdr when it comes first. For
// routing, and for the MsgId of a group rejection when parse_message failed.
[[nodiscard]] Result<MessageHeader> read_header(std::string_view xml, const Limits& limits = {});

// The reason code, location and text of an Error returned by parse_message or read_header;
// reason FF01 and an empty path for any other Error.
Rejection rejection_of(const Error& error);

}  // namespace deltran::iso20022
