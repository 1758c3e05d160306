#include "message_reader.hpp"

#include <cstdint>

#include "message_id.hpp"
#include "schema_set_impl.hpp"
#include "text_util.hpp"

namespace deltran::iso20022 {
namespace {

constexpr std::string_view kHeadPrefix = "urn:iso:std:iso:20022:tech:xsd:head.001.";

struct Supported {
  std::string_view area;
  int number;
  int first_version, last_version;
  std::string_view root;
  MessageType type;
};
constexpr Supported kSupported[] = {
    {"pain", 1, 3, 12, "CstmrCdtTrfInitn", MessageType::kPain001},
    {"pacs", 8, 8, 13, "FIToFICstmrCdtTrf", MessageType::kPacs008},
};

const Supported* supported(const MessageId& id) {
  for (const auto& s : kSupported) {
    if (id.area == s.area && id.number == s.number && id.variant == 1 &&
        id.version >= s.first_version && id.version <= s.last_version) {
      return &s;
    }
  }
  return nullptr;
}

// Local name of the last path segment: "/a/b/CdtTrfTxInf[2]" -> "CdtTrfTxInf".
std::string_view last_segment(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view seg = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return seg.substr(0, seg.find('['));
}

std::string_view reason_for_schema_error(std::string_view element, std::string_view message) {
  if (message.find("attribute 'Ccy'") != std::string_view::npos) return reason::kNotAllowedCurrency;
  if (message.find("not expected") != std::string_view::npos ||
      message.find("Missing child") != std::string_view::npos) {
    return reason::kInvalidFileFormat;
  }
  return reason_for_element(element);
}

uint64_t parse_count(std::string_view digits) {
  uint64_t v = 0;
  for (char c : trim_xml_space(digits)) v = v * 10 + static_cast<uint64_t>(c - '0');
  return v;
}

std::string leaf_value(const Record& r, std::string_view key) {
  const Leaf* l = r.find(key);
  return l == nullptr ? std::string{} : std::string(trim_xml_space(l->value));
}

}  // namespace

MessageReader::MessageReader(const ParseOptions& options, bool header_only)
    : options_(options), header_only_(header_only) {}

void MessageReader::fail(XmlStream& s, std::string_view reason, std::string path,
                         std::string message) {
  s.fail(StreamFailure{ErrorCode::kInvalidArgument, std::string(reason), std::move(path),
                       std::move(message)});
}

std::pair<Record*, size_t> MessageReader::capture_record(size_t depth) {
  if (tx_depth_ != 0 && depth > tx_depth_) return {&tx_, tx_depth_};
  if (pmt_inf_depth_ != 0 && depth > pmt_inf_depth_) return {&pmt_inf_, pmt_inf_depth_};
  if (group_depth_ != 0 && depth > group_depth_) return {&group_, group_depth_};
  if (app_hdr_depth_ != 0 && depth > app_hdr_depth_) return {&app_hdr_, app_hdr_depth_};
  return {nullptr, 0};
}

void MessageReader::on_start(XmlStream& s, const XmlElement& e) {
  if (doc_depth_ == 0) {
    start_outside_document(s, e);
  } else {
    start_in_document(s, e);
  }
  auto [record, scope] = capture_record(s.depth());
  if (record == nullptr) return;
  for (const XmlAttribute& a : e.attributes) {
    if (!a.ns.empty()) continue;  // xsi:* and friends are not data
    std::string key(s.relative_key(scope));
    std::string path(s.relative_path(scope));
    key += '@';
    key += a.local;
    path += "/@";
    path += a.local;
    record->add(key, path, a.value);
  }
}

void MessageReader::start_outside_document(XmlStream& s, const XmlElement& e) {
  if (e.local == "Document") return start_document(s, e);
  if (e.local != "AppHdr" || !e.ns.starts_with(kHeadPrefix) || app_hdr_depth_ != 0) return;
  if (app_hdr_seen_) return fail(s, reason::kInvalidFileFormat, s.path(), "more than one AppHdr");
  app_hdr_seen_ = true;
  app_hdr_depth_ = s.depth();
  app_hdr_version_ = std::string(e.ns.substr(kIsoNamespacePrefix.size()));
  app_hdr_.clear(s.path());
  if (options_.schemas == nullptr || header_only_ || s.validating()) return;
  if (const auto* entry = options_.schemas->impl().find_namespace(e.ns))
    s.validate_subtree(entry->schema);
}

void MessageReader::start_document(XmlStream& s, const XmlElement& e) {
  if (doc_seen_) return fail(s, reason::kInvalidFileFormat, s.path(), "more than one Document");
  doc_seen_ = true;
  doc_depth_ = s.depth();
  document_path_ = s.path();
  auto info = classify_namespace(e.ns);
  if (!info) {
    return fail(
        s, reason::kInvalidFileFormat, s.path(),
        "namespace '" + utf8_truncate(e.ns, 200) + "' is not an ISO 20022 message namespace");
  }
  const Supported* kind = supported(info->base);
  if (kind == nullptr) {
    return fail(s, reason::kInvalidFileFormat, s.path(),
                "unsupported message " + info->base.text() +
                    " (supported: pain.001.001.03 to .12, pacs.008.001.08 to .13)");
  }
  if (options_.expected_type && *options_.expected_type != kind->type) {
    return fail(s, reason::kInvalidFileFormat, s.path(),
                "expected " + std::string(to_string(*options_.expected_type)) + ", got " +
                    info->base.text());
  }
  MessageHeader& h = out_.header;
  h.type = kind->type;
  h.message_id = info->base.text();
  h.version = info->base.version;
  h.namespace_uri = std::string(e.ns);
  h.national_profile = info->national;
  expected_root_ = kind->root;
  if (options_.schemas == nullptr || header_only_ || s.validating()) return;
  if (const auto* entry = options_.schemas->impl().find_namespace(e.ns)) {
    s.validate_subtree(entry->schema);
    out_.validation = Validation::kSchema;
  }
}

void MessageReader::start_in_document(XmlStream& s, const XmlElement& e) {
  size_t d = s.depth();
  bool pain = out_.header.type == MessageType::kPain001;
  if (d == doc_depth_ + 1) {
    if (e.local != expected_root_ || root_seen_) {
      return fail(s, reason::kInvalidFileFormat, s.path(),
                  "expected one " + std::string(expected_root_) + " in a " +
                      out_.header.message_id + " Document");
    }
    root_seen_ = true;
    return;
  }
  if (d == doc_depth_ + 2) {
    if (e.local == "GrpHdr") {
      if (group_done_ || group_depth_ != 0)
        return fail(s, reason::kInvalidFileFormat, s.path(), "more than one GrpHdr");
      group_depth_ = d;
      group_.clear(s.path());
      return;
    }
    if (e.local == "SplmtryData") return;
    bool block = pain && e.local == "PmtInf";
    bool tx = !pain && e.local == "CdtTrfTxInf";
    if ((block || tx) && !group_done_) {
      return fail(s, reason::kInvalidFileFormat, s.path(), "GrpHdr must come first");
    }
    if (block) {
      pmt_inf_depth_ = d;
      pmt_inf_.clear(s.path());
      block_mapped_ = false;
      block_schema_error_.reset();
      block_sum_ = Sum{};
      out_.payment_infos.push_back(PaymentInfoBlock{{}, out_.transactions.size(), 0, {}, {}});
      return;
    }
    if (tx) return start_transaction(s);
    if (!s.validating())
      fail(s, reason::kInvalidFileFormat, s.path(), "unexpected element " + std::string(e.local));
    return;
  }
  if (pmt_inf_depth_ != 0 && d == pmt_inf_depth_ + 1) {
    if (e.local == "CdtTrfTxInf") {
      if (!block_mapped_) {
        pmt_inf_.seal();
        block_ = map_payment_info(pmt_inf_);
        block_mapped_ = true;
      }
      return start_transaction(s);
    }
    if (block_mapped_ && !s.validating()) {
      fail(s, reason::kInvalidFileFormat, s.path(), std::string(e.local) + " after CdtTrfTxInf");
    }
  }
}

void MessageReader::start_transaction(XmlStream& s) {
  if (out_.transactions.size() >= options_.limits.max_transactions) {
    return s.fail(StreamFailure{
        ErrorCode::kResourceExhausted, std::string(reason::kInvalidFileFormat), s.path(),
        "more than " + std::to_string(options_.limits.max_transactions) + " transactions"});
  }
  tx_depth_ = s.depth();
  tx_.clear(s.path());
  tx_schema_error_.reset();
}

void MessageReader::on_end(XmlStream& s, std::string_view, std::string_view text, bool leaf) {
  size_t d = s.depth();
  if (leaf) {
    auto [record, scope] = capture_record(d);
    if (record != nullptr) record->add(s.relative_key(scope), s.relative_path(scope), text);
  }
  if (d == tx_depth_) {
    finish_transaction();
    tx_depth_ = 0;
  } else if (d == pmt_inf_depth_) {
    finish_payment_info(s);
    pmt_inf_depth_ = 0;
  } else if (d == group_depth_) {
    finish_group(s);
    group_depth_ = 0;
  } else if (d == app_hdr_depth_) {
    finish_app_header(s);
    app_hdr_depth_ = 0;
  } else if (d == doc_depth_) {
    doc_depth_ = 0;
  }
}

void MessageReader::on_schema_error(XmlStream& s, std::string_view message) {
  // A start tag is checked against its parent's content model: the parent is at fault.
  size_t d = s.depth() - (s.checking_start_tag() ? 1 : 0);
  Rejection r{std::string(reason_for_schema_error(last_segment(s.path()), message)), s.path(),
              std::string(message)};
  if (!options_.schema_error_rejects_message) {
    if (tx_depth_ != 0 && d >= tx_depth_) {
      if (!tx_schema_error_) tx_schema_error_ = std::move(r);
      return;
    }
    if (pmt_inf_depth_ != 0 && d >= pmt_inf_depth_) {
      if (!block_schema_error_) block_schema_error_ = std::move(r);
      return;
    }
  }
  s.fail(StreamFailure{ErrorCode::kInvalidArgument, r.reason_code, r.path, r.message});
}

void MessageReader::add_amount(const Leaf* amount) {
  if (amount == nullptr) return;
  auto v = parse_scaled_decimal(amount->value);
  for (Sum* sum : {&group_sum_, &block_sum_}) {
    if (!v) {
      sum->exact = false;
      continue;
    }
    sum->value += v->value;
    sum->exact = sum->exact && v->exact;
  }
}

void MessageReader::finish_transaction() {
  bool pain = out_.header.type == MessageType::kPain001;
  tx_.seal();
  TransactionResult r;
  r.index = out_.transactions.size() + 1;
  std::optional<Rejection> mapping =
      pain ? map_pain001_transaction(tx_, block_, r.payment)
           : map_pacs008_transaction(tx_, group_, out_.header, r.payment);
  r.payment.msg_id = out_.header.msg_id;
  if (pain) {
    add_amount(
        tx_.find(tx_.find("Amt/EqvtAmt/Amt") != nullptr ? "Amt/EqvtAmt/Amt" : "Amt/InstdAmt"));
    ++out_.payment_infos.back().tx_count;
  } else {
    add_amount(tx_.find("IntrBkSttlmAmt"));
    std::string ccy = leaf_value(tx_, "IntrBkSttlmAmt@Ccy");
    if (out_.transactions.empty()) settlement_currency_ = ccy;
    mixed_currencies_ = mixed_currencies_ || ccy != settlement_currency_;
  }
  std::optional<Rejection> duplicate = duplicate_of_earlier(r.payment, tx_.root_path());
  if (tx_schema_error_) {
    r.rejection = std::move(tx_schema_error_);
  } else if (block_schema_error_) {
    r.rejection = block_schema_error_;
  } else if (pain && block_.error) {
    r.rejection = block_.error;
  } else if (mapping) {
    r.rejection = std::move(mapping);
  } else {
    r.rejection = std::move(duplicate);
  }
  out_.transactions.push_back(std::move(r));
}

std::optional<Rejection> MessageReader::duplicate_of_earlier(const Payment& p,
                                                             const std::string& tx_path) {
  std::optional<Rejection> found;
  auto check = [&](std::set<std::string, std::less<>>& seen, const std::string& id,
                   std::string_view element, bool enabled) {
    if (id.empty() || seen.insert(id).second || found || !enabled) return;
    found = Rejection{
        std::string(reason::kDuplicatePayment), tx_path + "/PmtId/" + std::string(element),
        std::string(element) + " '" + id + "' is used by an earlier transaction of this message"};
  };
  check(uetrs_, p.uetr, "UETR", true);
  check(tx_ids_, p.tx_id, "TxId", true);
  check(instr_ids_, p.instr_id, "InstrId", true);
  check(end_to_end_ids_, p.end_to_end_id, "EndToEndId", options_.reject_duplicate_end_to_end_id);
  return found;
}

std::optional<Rejection> MessageReader::check_block_totals(const PaymentInfoBlock& block,
                                                           const Sum& sum) const {
  const std::string& root = pmt_inf_.root_path();
  if (!block.nb_of_txs.empty() && parse_count(block.nb_of_txs) != block.tx_count) {
    return Rejection{std::string(reason::kInvalidNumberOfTransactions), root + "/NbOfTxs",
                     "NbOfTxs is " + block.nb_of_txs + " but the block has " +
                         std::to_string(block.tx_count) + " transactions"};
  }
  if (block.ctrl_sum.empty()) return std::nullopt;
  auto declared = parse_scaled_decimal(block.ctrl_sum);
  if (declared && declared->exact && sum.exact && declared->value == sum.value) return std::nullopt;
  return Rejection{std::string(reason::kInvalidControlSum), root + "/CtrlSum",
                   "CtrlSum is " + block.ctrl_sum + " but the amounts of the block add up to " +
                       format_scaled_decimal(sum.value)};
}

void MessageReader::finish_payment_info(XmlStream& s) {
  PaymentInfoBlock& block = out_.payment_infos.back();
  if (!block_mapped_) {
    return fail(s, reason::kInvalidFileFormat, pmt_inf_.root_path(), "PmtInf has no CdtTrfTxInf");
  }
  block.pmt_inf_id = block_.pmt_inf_id;
  block.nb_of_txs = leaf_value(pmt_inf_, "NbOfTxs");
  block.ctrl_sum = leaf_value(pmt_inf_, "CtrlSum");
  std::optional<Rejection> problem = block_schema_error_;
  if (!problem && !block_.error) problem = check_block_totals(block, block_sum_);
  if (!problem) return;
  for (size_t i = block.first_tx; i < block.first_tx + block.tx_count; ++i) {
    auto& tx = out_.transactions[i];
    if (!tx.rejection) tx.rejection = problem;
  }
}

void MessageReader::finish_group(XmlStream& s) {
  group_.seal();
  group_done_ = true;
  if (auto problem = map_group_header(out_.header.type, group_, out_.header)) {
    return s.fail(StreamFailure{ErrorCode::kInvalidArgument, problem->reason_code, problem->path,
                                problem->message});
  }
  if (header_only_) s.stop();
}

void MessageReader::finish_app_header(XmlStream& s) {
  app_hdr_.seal();
  AppHeader header;
  header.version = app_hdr_version_;
  if (auto problem = map_app_header(app_hdr_, header)) {
    return s.fail(StreamFailure{ErrorCode::kInvalidArgument, problem->reason_code, problem->path,
                                problem->message});
  }
  out_.header.app_header = std::move(header);
}

std::optional<Rejection> MessageReader::check_message_totals() const {
  const MessageHeader& h = out_.header;
  const std::string& root = group_.root_path();
  if (parse_count(h.nb_of_txs) != out_.transactions.size()) {
    return Rejection{std::string(reason::kInvalidNumberOfTransactions), root + "/NbOfTxs",
                     "NbOfTxs is " + h.nb_of_txs + " but the message has " +
                         std::to_string(out_.transactions.size()) + " transactions"};
  }
  auto matches = [this](const std::string& text) {
    auto declared = parse_scaled_decimal(text);
    return declared && declared->exact && group_sum_.exact && declared->value == group_sum_.value;
  };
  if (!h.ctrl_sum.empty() && !matches(h.ctrl_sum)) {
    return Rejection{std::string(reason::kInvalidControlSum), root + "/CtrlSum",
                     "CtrlSum is " + h.ctrl_sum + " but the amounts add up to " +
                         format_scaled_decimal(group_sum_.value)};
  }
  if (!h.total_interbank_settlement_amount.empty() &&
      (mixed_currencies_ || settlement_currency_ != h.total_interbank_settlement_currency ||
       !matches(h.total_interbank_settlement_amount))) {
    return Rejection{
        std::string(reason::kInvalidControlSum), root + "/TtlIntrBkSttlmAmt",
        "TtlIntrBkSttlmAmt " + h.total_interbank_settlement_amount + " " +
            h.total_interbank_settlement_currency + " differs from the sum of IntrBkSttlmAmt (" +
            format_scaled_decimal(group_sum_.value) +
            (mixed_currencies_ ? " in several currencies)" : " " + settlement_currency_ + ")")};
  }
  if (h.app_header && h.app_header->msg_def_id.substr(0, h.message_id.size()) != h.message_id) {
    return Rejection{std::string(reason::kInvalidFileFormat), app_hdr_.root_path() + "/MsgDefIdr",
                     "AppHdr MsgDefIdr " + h.app_header->msg_def_id +
                         " does not match the Document, " + h.message_id};
  }
  return std::nullopt;
}

Result<ParsedMessage> MessageReader::finish(std::optional<StreamFailure> failure) {
  if (failure) return tl::unexpected(to_error(*failure));
  auto refuse = [](std::string_view reason, std::string path, std::string message) {
    return tl::unexpected(to_error(StreamFailure{ErrorCode::kInvalidArgument, std::string(reason),
                                                 std::move(path), std::move(message)}));
  };
  if (!doc_seen_)
    return refuse(reason::kInvalidFileFormat, "", "no ISO 20022 Document element found");
  if (!group_done_) return refuse(reason::kInvalidFileFormat, document_path_, "GrpHdr is missing");
  if (out_.transactions.empty())
    return refuse(reason::kInvalidFileFormat, document_path_, "no transactions");
  if (auto problem = check_message_totals())
    return refuse(problem->reason_code, problem->path, problem->message);
  return std::move(out_);
}

Result<MessageHeader> MessageReader::finish_header(std::optional<StreamFailure> failure) {
  if (failure) return tl::unexpected(to_error(*failure));
  if (!group_done_) {
    return tl::unexpected(to_error(StreamFailure{
        ErrorCode::kInvalidArgument, std::string(reason::kInvalidFileFormat), document_path_,
        doc_seen_ ? "GrpHdr is missing" : "no ISO 20022 Document element found"}));
  }
  return std::move(out_.header);
}

}  // namespace deltran::iso20022
