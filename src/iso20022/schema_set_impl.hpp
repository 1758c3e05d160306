#pragma once
// SchemaSet internals: compiled libxml2 schemas by namespace. Immutable after load, which is
// what makes concurrent validation safe (a compiled xmlSchema is only read while validating).
#include <libxml/xmlschemas.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <deltran/iso20022/schema_set.hpp>

namespace deltran::iso20022 {

struct SchemaSet::Impl {
  struct Entry {
    std::string message_id;     // base id, e.g. pain.001.001.03
    std::string namespace_uri;  // the namespace it validates
    bool profile = false;       // a base schema compiled under a profile's namespace
    xmlSchemaPtr schema = nullptr;
  };
  std::map<std::string, Entry, std::less<>> by_namespace;

  const Entry* find_namespace(std::string_view ns) const {
    auto it = by_namespace.find(ns);
    return it == by_namespace.end() ? nullptr : &it->second;
  }
  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    for (auto& [ns, entry] : by_namespace) xmlSchemaFree(entry.schema);
  }
};

}  // namespace deltran::iso20022
