#pragma once
// Official ISO 20022 XSDs, compiled once and shared read-only: validation from any number of
// threads at once is safe (each validation uses its own libxml2 validation context).
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <deltran/core/result.hpp>
#include <deltran/iso20022/parser.hpp>

namespace deltran::iso20022 {

// A national profile that only renames the namespace of a base message version.
struct ProfileNamespace {
  // e.g. http://www.six-interbank-clearing.com/de/pain.001.001.03.ch.02.xsd
  std::string namespace_uri;
  std::string base_message_id;  // e.g. pain.001.001.03
};

// Profiles known without configuration (SIX pain.001.001.03.ch.02).
std::span<const ProfileNamespace> builtin_profiles();

class SchemaSet {
 public:
  // Compiles every <message id>.xsd in `dir` (e.g. pacs.008.001.08.xsd), plus, for each
  // built-in or extra profile whose base is present, the base schema under the profile's
  // namespace. Fails if the directory cannot be read or any schema does not compile.
  [[nodiscard]] static Result<std::shared_ptr<const SchemaSet>> load(
      const std::filesystem::path& dir, std::span<const ProfileNamespace> extra_profiles = {});

  SchemaSet(const SchemaSet&) = delete;
  SchemaSet& operator=(const SchemaSet&) = delete;
  ~SchemaSet();

  // Whether a schema for this message id ("pain.002.001.14") or namespace URI is loaded.
  bool has_message(std::string_view message_id) const;
  bool has_namespace(std::string_view namespace_uri) const;
  // Loaded message ids, sorted.
  std::vector<std::string> message_ids() const;

  // Validates a standalone document (e.g. an emitted pain.002) against the schema of its
  // root namespace, with the same hardening and limits as parse_message. The Error names
  // the first offending element ("FF01 at /Document/...: ...").
  [[nodiscard]] Status validate(std::string_view xml, const Limits& limits = {}) const;

  struct Impl;  // libxml2 state, private to the library
  const Impl& impl() const { return *impl_; }

 private:
  explicit SchemaSet(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace deltran::iso20022
