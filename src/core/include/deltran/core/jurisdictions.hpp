#pragma once
// Reference lists of jurisdictions (ISO 3166-1 alpha-2) that screening, the AML rules and
// the risk score start from. Snapshots: operators replace them in config.
#include <string>
#include <vector>

namespace deltran {

// Parties here are blocked outright; also the AML and risk "high risk" default
// (ORIGINAL_RULES.md; FATF's call for action KP, IR, MM is within it).
const std::vector<std::string>& sanctioned_countries();
// FATF "increased monitoring" as of February 2025, less the countries above: the AML and
// risk "medium risk" default. Keep it current from the FATF publication.
const std::vector<std::string>& increased_monitoring_countries();

}  // namespace deltran
