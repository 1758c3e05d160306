#pragma once
// A hardened, streaming SAX2 reader over libxml2's push parser: it keeps the path of the
// current element (for error locations), the text of the innermost element, and can
// validate any subtree against a compiled XSD while streaming by forwarding exactly that
// subtree's events to a libxml2 schema validator (xmlSchemaSAXPlug). That last point is why
// this is SAX and not xmlTextReader: the reader can only validate from the document root,
// and real traffic puts the Document inside an envelope.
// libxml2 headers stay in xml_stream.cpp.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <deltran/core/result.hpp>
#include <deltran/iso20022/parser.hpp>

struct _xmlSchema;  // libxml2's compiled schema (xmlSchema)

namespace deltran::iso20022 {

// libxml2 set up once per process (parser, schema types, a deny-all entity loader for
// our own parser contexts). Safe to call from any thread, any number of times.
void ensure_libxml_initialized();

struct XmlAttribute {
  std::string_view local, ns, value;
};

struct XmlElement {
  std::string_view local, ns;
  std::span<const XmlAttribute> attributes;
};

// Why a stream stopped early; becomes the whole-message Error.
struct StreamFailure {
  ErrorCode code = ErrorCode::kInvalidArgument;
  std::string reason = std::string(deltran::reason::kInvalidFileFormat);
  std::string path;
  std::string message;
};
Error to_error(const StreamFailure& failure);

class XmlStream;

class XmlStreamHandler {
 public:
  virtual ~XmlStreamHandler() = default;
  virtual void on_start(XmlStream& stream, const XmlElement& element) = 0;
  // `leaf`: the element had no child element, and `text` is its whole text content.
  virtual void on_end(XmlStream& stream, std::string_view local, std::string_view text,
                      bool leaf) = 0;
  // A schema validity error inside the validated subtree; stream.path() is where it is.
  virtual void on_schema_error(XmlStream& stream, std::string_view message) = 0;
};

class XmlStream {
 public:
  XmlStream(const Limits& limits, XmlStreamHandler& handler);
  ~XmlStream();
  XmlStream(const XmlStream&) = delete;
  XmlStream& operator=(const XmlStream&) = delete;

  // Parses `xml`; nullopt when it ran to the end or the handler called stop().
  std::optional<StreamFailure> run(std::string_view xml);

  // For the handler, during its callbacks.
  size_t depth() const { return frames_used_; }  // root element: 1
  // "/Envelope/Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[2]/Amt/InstdAmt"
  const std::string& path() const { return path_; }
  // Path of the current element below the element at `scope_depth`, without indices
  // ("Amt/InstdAmt") or with them ("RmtInf/Ustrd[2]"). Requires depth() > scope_depth.
  std::string_view relative_key(size_t scope_depth) const;
  std::string_view relative_path(size_t scope_depth) const;
  int line() const;
  // Validates the current element and everything inside it against `schema`.
  void validate_subtree(_xmlSchema* schema);
  bool validating() const { return validation_depth_ != 0; }
  // True while the validator checks a start tag: an error then concerns the content model
  // of the parent ("element X not expected here"), not X itself.
  bool checking_start_tag() const { return checking_start_tag_; }
  void fail(StreamFailure failure);
  void stop();

  // libxml2 callbacks (static trampolines in the .cpp call these).
  void start_element(const unsigned char* local, const unsigned char* prefix,
                     const unsigned char* uri, int nb_namespaces, const unsigned char** namespaces,
                     int nb_attributes, int nb_defaulted, const unsigned char** attributes);
  void end_element(const unsigned char* local, const unsigned char* prefix,
                   const unsigned char* uri);
  void characters(const unsigned char* text, int len);
  void parser_error(int level, int line, std::string_view message);
  void validity_error(int level, std::string_view message);
  void doctype();

 private:
  struct Frame {
    size_t path_len = 0;  // path_ and key_ lengths before this element's segment
    size_t key_len = 0;
    bool has_children = false;
    // Children seen so far by name, for the [n] of paths: a short list searched linearly,
    // then a hash map, so a parent with thousands of distinct child names stays linear.
    std::vector<std::pair<std::string, uint32_t>> child_counts;
    std::unordered_map<std::string, uint32_t> many_child_counts;
  };
  uint32_t next_sibling_index(std::string_view local);
  void finish_validation();
  std::optional<StreamFailure> precheck(std::string_view& xml) const;

  Limits limits_;
  XmlStreamHandler& handler_;
  struct Libxml;
  std::unique_ptr<Libxml> xml_;
  std::vector<Frame> frames_;
  size_t frames_used_ = 0;
  Frame root_;  // the parent of the root element, for its sibling index
  std::string path_, key_, text_;
  std::vector<XmlAttribute> attributes_;
  size_t elements_ = 0;
  size_t validation_depth_ = 0;
  size_t validation_errors_ = 0;
  bool stopped_ = false;
  bool checking_start_tag_ = false;
  std::optional<StreamFailure> failure_;
};

}  // namespace deltran::iso20022
