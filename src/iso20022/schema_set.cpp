#include <deltran/iso20022/schema_set.hpp>

#include <libxml/schemasInternals.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <mutex>
#include <sstream>
#include <system_error>

#include "message_id.hpp"
#include "schema_set_impl.hpp"
#include "text_util.hpp"
#include "xml_stream.hpp"

namespace deltran::iso20022 {
namespace {

const std::array<ProfileNamespace, 1> kBuiltinProfiles = {{
    {"http://www.six-interbank-clearing.com/de/pain.001.001.03.ch.02.xsd", "pain.001.001.03"},
}};

// xmlSchemaParse touches process-wide state; compile one schema at a time.
std::mutex g_compile_mutex;

template <typename>
struct SecondArg;
template <typename R, typename A, typename B>
struct SecondArg<R (*)(A, B)> {
  using type = B;
};

void collect_error(void* user, SecondArg<xmlStructuredErrorFunc>::type error) {
  auto* out = static_cast<std::string*>(user);
  if (error == nullptr || error->level < XML_ERR_ERROR || !out->empty()) return;
  *out = clean_libxml_message(error->message != nullptr ? error->message : "unknown error");
}

Result<xmlSchemaPtr> compile(const std::string& text, const std::string& name) {
  std::lock_guard lock(g_compile_mutex);
  std::string error;
  xmlSchemaParserCtxtPtr ctxt =
      xmlSchemaNewMemParserCtxt(text.data(), static_cast<int>(text.size()));
  if (ctxt == nullptr) return make_error(ErrorCode::kInternal, "cannot compile " + name);
  xmlSchemaSetParserStructuredErrors(ctxt, collect_error, &error);
  xmlSchemaPtr schema = xmlSchemaParse(ctxt);
  xmlSchemaFreeParserCtxt(ctxt);
  if (schema == nullptr) {
    return make_error(
        ErrorCode::kFailedPrecondition,
        "schema " + name + " does not compile: " + (error.empty() ? "unknown error" : error));
  }
  return schema;
}

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kNotFound, "cannot read " + path.string());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// Validates the root element of a standalone document against the schema of its namespace.
class RootValidator final : public XmlStreamHandler {
 public:
  explicit RootValidator(const SchemaSet::Impl& impl) : impl_(impl) {}
  void on_start(XmlStream& stream, const XmlElement& element) override {
    if (stream.depth() != 1) return;
    const auto* entry = impl_.find_namespace(element.ns);
    if (entry == nullptr) {
      return stream.fail(
          StreamFailure{ErrorCode::kInvalidArgument, std::string(reason::kInvalidFileFormat), stream.path(),
                        "no schema for namespace '" + std::string(element.ns) + "'"});
    }
    stream.validate_subtree(entry->schema);
  }
  void on_end(XmlStream&, std::string_view, std::string_view, bool) override {}
  void on_schema_error(XmlStream& stream, std::string_view message) override {
    stream.fail(
        StreamFailure{ErrorCode::kInvalidArgument, std::string(reason::kInvalidFileFormat), stream.path(), std::string(message)});
  }

 private:
  const SchemaSet::Impl& impl_;
};

}  // namespace

std::span<const ProfileNamespace> builtin_profiles() { return kBuiltinProfiles; }

SchemaSet::SchemaSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SchemaSet::~SchemaSet() = default;

Result<std::shared_ptr<const SchemaSet>> SchemaSet::load(
    const std::filesystem::path& dir, std::span<const ProfileNamespace> extra_profiles) {
  ensure_libxml_initialized();
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& item : std::filesystem::directory_iterator(dir, ec)) {
    if (item.path().extension() == ".xsd") files.push_back(item.path());
  }
  if (ec)
    return make_error(ErrorCode::kNotFound, "cannot list " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  auto impl = std::make_unique<Impl>();
  std::map<std::string, std::string> text_by_message;  // base id -> XSD text, for profiles
  for (const auto& file : files) {
    auto text = read_file(file);
    if (!text) return tl::unexpected(text.error());
    auto schema = compile(*text, file.filename().string());
    if (!schema) return tl::unexpected(schema.error());
    std::string ns = (*schema)->targetNamespace != nullptr
                         ? reinterpret_cast<const char*>((*schema)->targetNamespace)
                         : "";
    auto info = classify_namespace(ns);
    std::string id = info ? info->base.text() : file.stem().string();
    if (info && !info->national) text_by_message.emplace(id, *text);
    auto [it, inserted] = impl->by_namespace.emplace(ns, Impl::Entry{id, ns, false, *schema});
    if (!inserted) xmlSchemaFree(*schema);  // two files, one namespace: the first wins
  }
  std::vector<ProfileNamespace> profiles(kBuiltinProfiles.begin(), kBuiltinProfiles.end());
  profiles.insert(profiles.end(), extra_profiles.begin(), extra_profiles.end());
  for (const auto& profile : profiles) {
    auto base = text_by_message.find(profile.base_message_id);
    if (base == text_by_message.end() || impl->by_namespace.count(profile.namespace_uri) != 0)
      continue;
    std::string text = replace_all(base->second, std::string(kIsoNamespacePrefix) + base->first,
                                   profile.namespace_uri);
    auto schema = compile(text, profile.base_message_id + " as " + profile.namespace_uri);
    if (!schema) return tl::unexpected(schema.error());
    impl->by_namespace.emplace(profile.namespace_uri,
                               Impl::Entry{base->first, profile.namespace_uri, true, *schema});
  }
  return std::shared_ptr<const SchemaSet>(new SchemaSet(std::move(impl)));
}

bool SchemaSet::has_message(std::string_view message_id) const {
  return has_namespace(std::string(kIsoNamespacePrefix) + std::string(message_id));
}

bool SchemaSet::has_namespace(std::string_view namespace_uri) const {
  return impl_->find_namespace(namespace_uri) != nullptr;
}

std::vector<std::string> SchemaSet::message_ids() const {
  std::vector<std::string> ids;
  for (const auto& [ns, entry] : impl_->by_namespace) {
    if (!entry.profile) ids.push_back(entry.message_id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

Status SchemaSet::validate(std::string_view xml, const Limits& limits) const {
  RootValidator handler(*impl_);
  XmlStream stream(limits, handler);
  if (auto failed = stream.run(xml)) return tl::unexpected(to_error(*failed));
  return {};
}

}  // namespace deltran::iso20022
