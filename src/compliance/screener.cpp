#include <deltran/compliance/screener.hpp>

#include <algorithm>
#include <cctype>

#include <deltran/compliance/list_loader.hpp>

namespace deltran::compliance {
namespace {

std::string upper(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '\t') out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

}  // namespace

Screener::Screener(ScreenerSettings settings) : settings_(std::move(settings)) {
  for (std::string& c : settings_.sanctioned_countries) c = upper(c);
  std::sort(settings_.sanctioned_countries.begin(), settings_.sanctioned_countries.end());
}

void Screener::install(std::shared_ptr<const ScreeningIndex> index) { index_.store(std::move(index)); }

Status Screener::reload(const std::vector<std::string>& specs) {
  auto lists = load_lists(specs);
  if (!lists) return tl::unexpected(lists.error());
  auto index = ScreeningIndex::build(std::move(*lists), settings_.index);
  if (!index) return tl::unexpected(index.error());
  install(std::move(*index));
  return {};
}

std::shared_ptr<const ScreeningIndex> Screener::index() const { return index_.load(); }

bool Screener::country_sanctioned(std::string_view country) const {
  const std::string c = upper(country);
  return !c.empty() && std::binary_search(settings_.sanctioned_countries.begin(),
                                          settings_.sanctioned_countries.end(), c);
}

ScreeningResult Screener::screen(std::string_view name, std::string_view country) const {
  ScreeningResult r;
  r.country = upper(country);
  r.country_hit = country_sanctioned(r.country);
  const std::shared_ptr<const ScreeningIndex> index = index_.load();
  if (index) r.hits = index->screen(name);
  for (const NameHit& h : r.hits) {
    if (h.list_kind == ListKind::kSanctions) r.sanctions_hit = true;
    else r.pep_hit = true;
  }
  return r;
}

}  // namespace deltran::compliance
