#pragma once
// The leaves of one subtree (a group header, a PmtInf header, one transaction) keyed by
// their path below the subtree's root: "Amt/InstdAmt", "Amt/InstdAmt@Ccy",
// "CdtrAgt/FinInstnId/BICFI". This flat form is what makes the mapper version-tolerant:
// it asks for alternatives (BICFI or BIC, Dt or DtTm) and ignores what it does not know.
// Reused from one transaction to the next, so its buffers stop growing after the first.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace deltran::iso20022 {

struct Leaf {
  std::string key;    // names only, e.g. RmtInf/Ustrd
  std::string path;   // with indices, e.g. RmtInf/Ustrd[2], relative to the root
  std::string value;  // text as sent
};

class Record {
 public:
  void clear(std::string_view root_path) {
    root_path_.assign(root_path);
    used_ = 0;
    order_.clear();
  }
  void add(std::string_view key, std::string_view path, std::string_view value) {
    if (used_ == leaves_.size()) leaves_.emplace_back();
    Leaf& leaf = leaves_[used_++];
    leaf.key.assign(key);
    leaf.path.assign(path);
    leaf.value.assign(value);
  }
  // Indexes the leaves by key (document order kept among equal keys); call before find.
  void seal() {
    order_.resize(used_);
    for (uint32_t i = 0; i < used_; ++i) order_[i] = i;
    std::stable_sort(order_.begin(), order_.end(),
                     [this](uint32_t a, uint32_t b) { return leaves_[a].key < leaves_[b].key; });
  }
  const Leaf* find(std::string_view key) const {
    auto it = lower(key);
    return it != order_.end() && leaves_[*it].key == key ? &leaves_[*it] : nullptr;
  }
  template <typename F>
  void for_each(std::string_view key, F&& f) const {
    for (auto it = lower(key); it != order_.end() && leaves_[*it].key == key; ++it) f(leaves_[*it]);
  }
  // Whether any leaf lies below `prefix` ("DbtrAgt" finds "DbtrAgt/FinInstnId/BICFI").
  bool has_below(std::string_view prefix) const {
    std::string probe(prefix);
    probe += '/';
    auto it = lower(probe);
    return it != order_.end() && std::string_view(leaves_[*it].key).starts_with(probe);
  }
  // Absolute path of the root element, e.g. /Document/CstmrCdtTrfInitn/PmtInf[2].
  const std::string& root_path() const { return root_path_; }
  bool empty() const { return used_ == 0; }

 private:
  std::vector<uint32_t>::const_iterator lower(std::string_view key) const {
    return std::lower_bound(order_.begin(), order_.end(), key,
                            [this](uint32_t i, std::string_view k) { return leaves_[i].key < k; });
  }
  std::string root_path_;
  std::vector<Leaf> leaves_;
  size_t used_ = 0;
  std::vector<uint32_t> order_;
};

}  // namespace deltran::iso20022
