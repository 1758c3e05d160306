#include "xml_stream.hpp"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlschemastypes.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include <deltran/core/assert.hpp>

#include "text_util.hpp"

namespace deltran::iso20022 {
namespace {

// Parser contexts of this library carry this marker in _private, so the entity loader can
// refuse them everything while leaving other libxml2 users of the process alone.
int g_context_marker = 0;
xmlExternalEntityLoader g_previous_loader = nullptr;

xmlParserInputPtr guarded_loader(const char* url, const char* id, xmlParserCtxtPtr ctxt) {
  if (ctxt != nullptr && ctxt->_private == &g_context_marker) return nullptr;
  return g_previous_loader != nullptr ? g_previous_loader(url, id, ctxt) : nullptr;
}

// xmlStructuredErrorFunc takes xmlErrorPtr in libxml2 2.9 and const xmlError* from 2.12.
template <typename>
struct SecondArg;
template <typename R, typename A, typename B>
struct SecondArg<R (*)(A, B)> {
  using type = B;
};
using ErrorArg = SecondArg<xmlStructuredErrorFunc>::type;

// Callbacks get the user data given to xmlCreatePushParserCtxt: the XmlStream.
void on_start(void* ctx, const xmlChar* local, const xmlChar* prefix, const xmlChar* uri,
              int nb_namespaces, const xmlChar** namespaces, int nb_attributes, int nb_defaulted,
              const xmlChar** attributes) {
  static_cast<XmlStream*>(ctx)->start_element(local, prefix, uri, nb_namespaces, namespaces,
                                              nb_attributes, nb_defaulted, attributes);
}
void on_end(void* ctx, const xmlChar* local, const xmlChar* prefix, const xmlChar* uri) {
  static_cast<XmlStream*>(ctx)->end_element(local, prefix, uri);
}
void on_characters(void* ctx, const xmlChar* text, int len) {
  static_cast<XmlStream*>(ctx)->characters(text, len);
}
void on_internal_subset(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  static_cast<XmlStream*>(ctx)->doctype();
}
xmlEntityPtr on_get_entity(void*, const xmlChar* name) { return xmlGetPredefinedEntity(name); }
void on_parser_error(void* ctx, ErrorArg error) {
  if (error == nullptr) return;
  static_cast<XmlStream*>(ctx)->parser_error(error->level, error->line,
                                             error->message != nullptr ? error->message : "");
}
void on_validity_error(void* ctx, ErrorArg error) {
  if (error == nullptr) return;
  static_cast<XmlStream*>(ctx)->validity_error(error->level,
                                               error->message != nullptr ? error->message : "");
}

std::string_view view(const xmlChar* s) {
  return s == nullptr ? std::string_view{} : std::string_view(reinterpret_cast<const char*>(s));
}

bool always_indexed(std::string_view local) { return local == "PmtInf" || local == "CdtTrfTxInf"; }

constexpr size_t kChunkBytes = 64u << 10;
constexpr size_t kLinearChildNames = 32;
// ISO 20022 element names are short; a long one only makes every path expensive.
constexpr size_t kMaxNameBytes = 128;

StreamFailure failure(ErrorCode code, std::string path, std::string message) {
  return StreamFailure{code, std::string(reason::kInvalidFileFormat), std::move(path), std::move(message)};
}

}  // namespace

void ensure_libxml_initialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    // Not thread-safe when first called lazily from xmlSchemaParse; do it here, once.
    xmlSchemaInitTypes();
    g_previous_loader = xmlGetExternalEntityLoader();
    xmlSetExternalEntityLoader(guarded_loader);
  });
}

Error to_error(const StreamFailure& f) {
  std::string message = f.reason;
  if (!f.path.empty()) message += " at " + f.path;
  message += ": " + f.message;
  return Error{f.code, std::move(message)};
}

struct XmlStream::Libxml {
  xmlSAXHandler sax{};
  xmlParserCtxtPtr parser = nullptr;
  xmlSchemaValidCtxtPtr validator = nullptr;
  xmlSchemaSAXPlugPtr plug = nullptr;
  xmlSAXHandlerPtr validator_sax = nullptr;
  void* validator_user = nullptr;

  void drop_validator() {
    if (plug != nullptr) xmlSchemaSAXUnplug(plug);
    if (validator != nullptr) xmlSchemaFreeValidCtxt(validator);
    plug = nullptr;
    validator = nullptr;
    validator_sax = nullptr;
    validator_user = nullptr;
  }
  ~Libxml() {
    drop_validator();
    if (parser != nullptr) xmlFreeParserCtxt(parser);
  }
};

XmlStream::XmlStream(const Limits& limits, XmlStreamHandler& handler)
    : limits_(limits), handler_(handler), xml_(std::make_unique<Libxml>()) {
  ensure_libxml_initialized();
  path_.reserve(256);
  key_.reserve(256);
}

XmlStream::~XmlStream() = default;

std::optional<StreamFailure> XmlStream::precheck(std::string_view& xml) const {
  if (xml.size() > limits_.max_bytes) {
    return failure(ErrorCode::kResourceExhausted, "",
                   "message of " + std::to_string(xml.size()) + " bytes exceeds the limit of " +
                       std::to_string(limits_.max_bytes));
  }
  if (xml.size() >= 3 && xml.substr(0, 3) == "\xEF\xBB\xBF") xml.remove_prefix(3);
  std::string_view body = trim_xml_space(xml);
  if (body.empty()) return failure(ErrorCode::kInvalidArgument, "", "empty message");
  if (body.front() != '<') {
    return failure(ErrorCode::kInvalidArgument, "",
                   "not a UTF-8 XML document (only UTF-8 is accepted; it must start with '<')");
  }
  // A DOCTYPE is the only way to declare entities or reference external DTDs; refusing it
  // before libxml2 sees a byte closes entity bombs and XXE whatever the parser would do.
  if (xml.find("<!DOCTYPE") != std::string_view::npos ||
      xml.find("<!ENTITY") != std::string_view::npos) {
    return failure(ErrorCode::kInvalidArgument, "",
                   "DOCTYPE/ENTITY declarations are refused (no DTDs, no entities, no external "
                   "references)");
  }
  return std::nullopt;
}

std::optional<StreamFailure> XmlStream::run(std::string_view xml) {
  if (auto refused = precheck(xml)) return refused;
  xmlSAXHandler& sax = xml_->sax;
  std::memset(&sax, 0, sizeof(sax));
  sax.initialized = XML_SAX2_MAGIC;
  sax.startElementNs = on_start;
  sax.endElementNs = on_end;
  sax.characters = on_characters;
  sax.ignorableWhitespace = on_characters;
  sax.internalSubset = on_internal_subset;
  sax.getEntity = on_get_entity;
  sax.serror = on_parser_error;
  xml_->parser = xmlCreatePushParserCtxt(&sax, this, nullptr, 0, nullptr);
  if (xml_->parser == nullptr) return failure(ErrorCode::kInternal, "", "out of memory");
  xml_->parser->_private = &g_context_marker;
  // No NOENT (entities are never substituted), no DTDLOAD/DTDATTR/DTDVALID, no HUGE (keeps
  // libxml2's own limits), no network, and the declared encoding is ignored: UTF-8 only.
  xmlCtxtUseOptions(xml_->parser, XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC);
  size_t offset = 0;
  while (!stopped_ && offset < xml.size()) {
    size_t n = std::min(kChunkBytes, xml.size() - offset);
    xmlParseChunk(xml_->parser, xml.data() + offset, static_cast<int>(n), 0);
    offset += n;
  }
  if (!stopped_) xmlParseChunk(xml_->parser, nullptr, 0, 1);
  if (!failure_ && !stopped_ && xml_->parser->wellFormed == 0) {
    failure_ = failure(ErrorCode::kInvalidArgument, path_, "message is not well-formed XML");
  }
  return failure_;
}

std::string_view XmlStream::relative_key(size_t scope_depth) const {
  DELTRAN_ASSERT(scope_depth < frames_used_, "relative_key needs an element below the scope");
  return std::string_view(key_).substr(frames_[scope_depth].key_len + 1);
}

std::string_view XmlStream::relative_path(size_t scope_depth) const {
  DELTRAN_ASSERT(scope_depth < frames_used_, "relative_path needs an element below the scope");
  return std::string_view(path_).substr(frames_[scope_depth].path_len + 1);
}

int XmlStream::line() const {
  return xml_->parser != nullptr && xml_->parser->input != nullptr ? xml_->parser->input->line : 0;
}

void XmlStream::fail(StreamFailure f) {
  if (!failure_) failure_ = std::move(f);
  stop();
}

void XmlStream::stop() {
  if (stopped_) return;
  stopped_ = true;
  // Only silence the callbacks here. xmlStopParser frees the input buffer that the caller
  // of this callback (e.g. xmlParseCharData) may still be reading; run() stops feeding
  // chunks instead, so at most the rest of one chunk is parsed with SAX disabled.
  if (xml_->parser != nullptr) xml_->parser->disableSAX = 1;
}

void XmlStream::doctype() {
  fail(failure(ErrorCode::kInvalidArgument, path_, "DOCTYPE declarations are refused"));
}

void XmlStream::parser_error(int level, int line_number, std::string_view message) {
  if (level < XML_ERR_ERROR || stopped_) return;
  fail(failure(
      ErrorCode::kInvalidArgument, path_,
      "XML error at line " + std::to_string(line_number) + ": " + clean_libxml_message(message)));
}

void XmlStream::validity_error(int level, std::string_view message) {
  if (level < XML_ERR_ERROR || stopped_) return;
  ++validation_errors_;
  handler_.on_schema_error(*this, clean_libxml_message(message));
}

void XmlStream::validate_subtree(_xmlSchema* schema) {
  DELTRAN_ASSERT(validation_depth_ == 0, "one validated subtree at a time");
  DELTRAN_ASSERT(schema != nullptr, "validate_subtree needs a schema");
  Libxml& x = *xml_;
  x.validator = xmlSchemaNewValidCtxt(schema);
  if (x.validator == nullptr) return fail(failure(ErrorCode::kInternal, path_, "out of memory"));
  xmlSchemaSetValidStructuredErrors(x.validator, on_validity_error, this);
  x.validator_sax = nullptr;  // plugged "direct": the validator's own SAX2 handlers
  x.plug = xmlSchemaSAXPlug(x.validator, &x.validator_sax, &x.validator_user);
  if (x.plug == nullptr) {
    x.drop_validator();
    return fail(failure(ErrorCode::kInternal, path_, "cannot start schema validation"));
  }
  validation_depth_ = depth();
  validation_errors_ = 0;
}

void XmlStream::finish_validation() {
  Libxml& x = *xml_;
  xmlSchemaSAXUnplug(x.plug);  // runs the end-of-document checks (keys, IDs)
  x.plug = nullptr;
  bool valid = xmlSchemaIsValid(x.validator) == 1;
  if (!valid && validation_errors_ == 0 && !stopped_) {
    handler_.on_schema_error(*this, "schema validation failed");
  }
  x.drop_validator();
  validation_depth_ = 0;
}

uint32_t XmlStream::next_sibling_index(std::string_view local) {
  Frame& parent = frames_used_ == 0 ? root_ : frames_[frames_used_ - 1];
  for (auto& [name, count] : parent.child_counts) {
    if (name == local) return ++count;
  }
  if (parent.child_counts.size() < kLinearChildNames) {
    parent.child_counts.emplace_back(std::string(local), 1);
    return 1;
  }
  return ++parent.many_child_counts[std::string(local)];
}

void XmlStream::start_element(const xmlChar* local, const xmlChar* prefix, const xmlChar* uri,
                              int nb_namespaces, const xmlChar** namespaces, int nb_attributes,
                              int nb_defaulted, const xmlChar** attributes) {
  if (stopped_) return;
  std::string_view name = view(local);
  if (++elements_ > limits_.max_elements) {
    return fail(failure(ErrorCode::kResourceExhausted, path_,
                        "more than " + std::to_string(limits_.max_elements) + " elements"));
  }
  if (frames_used_ + 1 > limits_.max_depth) {
    return fail(failure(ErrorCode::kResourceExhausted, path_,
                        "elements nested deeper than " + std::to_string(limits_.max_depth)));
  }
  if (name.size() > kMaxNameBytes) {
    return fail(failure(ErrorCode::kInvalidArgument, path_,
                        "element name longer than " + std::to_string(kMaxNameBytes) + " bytes"));
  }
  if (static_cast<uint32_t>(nb_attributes) + static_cast<uint32_t>(nb_namespaces) >
      limits_.max_attributes) {
    return fail(failure(ErrorCode::kResourceExhausted, path_ + "/" + std::string(name),
                        "more than " + std::to_string(limits_.max_attributes) +
                            " attributes and namespace declarations on one element"));
  }
  if (frames_used_ > 0) frames_[frames_used_ - 1].has_children = true;
  uint32_t index = next_sibling_index(name);
  if (frames_used_ == frames_.size()) frames_.emplace_back();
  Frame& frame = frames_[frames_used_++];
  frame.path_len = path_.size();
  frame.key_len = key_.size();
  frame.has_children = false;
  frame.child_counts.clear();
  frame.many_child_counts.clear();
  path_ += '/';
  path_ += name;
  if (index > 1 || always_indexed(name)) path_ += "[" + std::to_string(index) + "]";
  key_ += '/';
  key_ += name;
  text_.clear();

  attributes_.clear();
  for (int i = 0; i < nb_attributes; ++i) {
    const xmlChar** a = attributes + 5 * i;  // local, prefix, URI, value begin, value end
    auto length = static_cast<size_t>(a[4] - a[3]);
    if (length > limits_.max_text_bytes) {
      return fail(
          failure(ErrorCode::kResourceExhausted, path_,
                  "attribute longer than " + std::to_string(limits_.max_text_bytes) + " bytes"));
    }
    attributes_.push_back(XmlAttribute{
        view(a[0]), view(a[2]), std::string_view(reinterpret_cast<const char*>(a[3]), length)});
  }
  handler_.on_start(*this, XmlElement{name, view(uri), attributes_});
  if (validation_depth_ != 0 && !stopped_) {
    checking_start_tag_ = true;
    xml_->validator_sax->startElementNs(xml_->validator_user, local, prefix, uri, nb_namespaces,
                                        namespaces, nb_attributes, nb_defaulted, attributes);
    checking_start_tag_ = false;
  }
}

void XmlStream::end_element(const xmlChar* local, const xmlChar* prefix, const xmlChar* uri) {
  if (stopped_) return;
  DELTRAN_ASSERT(frames_used_ > 0, "end without start");
  if (validation_depth_ != 0) {
    xml_->validator_sax->endElementNs(xml_->validator_user, local, prefix, uri);
    if (frames_used_ == validation_depth_) finish_validation();
  }
  if (stopped_) return;
  Frame& frame = frames_[frames_used_ - 1];
  handler_.on_end(*this, view(local), text_, !frame.has_children);
  if (stopped_) return;
  text_.clear();
  path_.resize(frame.path_len);
  key_.resize(frame.key_len);
  --frames_used_;
}

void XmlStream::characters(const xmlChar* text, int len) {
  if (stopped_ || len <= 0) return;
  if (text_.size() + static_cast<size_t>(len) > limits_.max_text_bytes) {
    return fail(failure(ErrorCode::kResourceExhausted, path_,
                        "text longer than " + std::to_string(limits_.max_text_bytes) + " bytes"));
  }
  text_.append(reinterpret_cast<const char*>(text), static_cast<size_t>(len));
  if (validation_depth_ != 0) xml_->validator_sax->characters(xml_->validator_user, text, len);
}

}  // namespace deltran::iso20022
