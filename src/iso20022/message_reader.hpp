#pragma once
// The ISO 20022 side of parsing: finds the AppHdr and the Document (bare or in any
// envelope), starts schema validation of each when the SchemaSet has its namespace,
// captures the group header, each PmtInf header and each transaction as a Record, maps a
// transaction as soon as it ends, and checks counts and sums at the end of each block and
// of the message. Holds one transaction at a time.
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include <deltran/iso20022/model.hpp>
#include <deltran/iso20022/parser.hpp>

#include "mapper.hpp"
#include "record.hpp"
#include "xml_stream.hpp"

namespace deltran::iso20022 {

class MessageReader final : public XmlStreamHandler {
 public:
  // header_only: stop after the group header, no schema validation.
  MessageReader(const ParseOptions& options, bool header_only);

  void on_start(XmlStream& stream, const XmlElement& element) override;
  void on_end(XmlStream& stream, std::string_view local, std::string_view text, bool leaf) override;
  void on_schema_error(XmlStream& stream, std::string_view message) override;

  Result<ParsedMessage> finish(std::optional<StreamFailure> failure);
  Result<MessageHeader> finish_header(std::optional<StreamFailure> failure);

 private:
  struct Sum {
    __int128 value = 0;
    bool exact = true;
  };
  void start_outside_document(XmlStream& s, const XmlElement& e);
  void start_document(XmlStream& s, const XmlElement& e);
  void start_in_document(XmlStream& s, const XmlElement& e);
  void start_transaction(XmlStream& s);
  void finish_transaction();
  void finish_payment_info(XmlStream& s);
  void finish_group(XmlStream& s);
  void finish_app_header(XmlStream& s);
  std::optional<Rejection> duplicate_of_earlier(const Payment& p, const std::string& tx_path);
  std::optional<Rejection> check_block_totals(const PaymentInfoBlock& block, const Sum& sum) const;
  std::optional<Rejection> check_message_totals() const;
  std::pair<Record*, size_t> capture_record(size_t depth);
  void add_amount(const Leaf* amount);
  static void fail(XmlStream& s, std::string_view reason, std::string path, std::string message);

  const ParseOptions& options_;
  bool header_only_;
  ParsedMessage out_;
  std::string app_hdr_version_, document_path_;
  std::string_view expected_root_;  // CstmrCdtTrfInitn or FIToFICstmrCdtTrf
  size_t app_hdr_depth_ = 0, doc_depth_ = 0, group_depth_ = 0, pmt_inf_depth_ = 0, tx_depth_ = 0;
  bool doc_seen_ = false, root_seen_ = false, group_done_ = false, app_hdr_seen_ = false;
  Record app_hdr_, group_, pmt_inf_, tx_;
  PaymentInfoContext block_;
  bool block_mapped_ = false;
  std::optional<Rejection> tx_schema_error_, block_schema_error_;
  Sum group_sum_, block_sum_;
  std::string settlement_currency_;  // pacs.008: the IntrBkSttlmAmt currency, if only one
  bool mixed_currencies_ = false;
  // Ordered sets: ids are chosen by the sender, so no hash flooding.
  std::set<std::string, std::less<>> end_to_end_ids_, uetrs_, instr_ids_, tx_ids_;
};

}  // namespace deltran::iso20022
