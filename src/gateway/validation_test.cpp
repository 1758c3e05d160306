#include <gtest/gtest.h>

#include "validation.hpp"

namespace deltran::gateway {
namespace {

TEST(Validation, BicsAreNormalisedToUpperCaseAndHeadOfficeBic8) {
  EXPECT_EQ(normalize_bic("deutdeff"), "DEUTDEFF");
  EXPECT_EQ(normalize_bic("DEUTDEFFXXX"), "DEUTDEFF");
  EXPECT_EQ(normalize_bic("DEUTDEFF500"), "DEUTDEFF500");
  EXPECT_EQ(normalize_bic("CHASUS33"), "CHASUS33");
}

TEST(Validation, MalformedBicsAreRefused) {
  EXPECT_EQ(normalize_bic(""), "");
  EXPECT_EQ(normalize_bic("DEUTDEF"), "");       // 7 characters
  EXPECT_EQ(normalize_bic("DEUTDEFF5"), "");     // 9 characters
  EXPECT_EQ(normalize_bic("D3UTDEFF"), "D3UTDEFF");  // ISO 9362:2014 allows digits here
  EXPECT_EQ(normalize_bic("DEUT1EFF"), "");      // digit in the country code
  EXPECT_EQ(normalize_bic("DEUTDE-F"), "");
}

TEST(Validation, IbanCheckDigitsAreVerified) {
  EXPECT_TRUE(looks_like_iban("GB82 WEST 1234 5698 7654 32"));
  EXPECT_TRUE(iban_checksum_ok("GB82 WEST 1234 5698 7654 32"));
  EXPECT_TRUE(iban_checksum_ok("AE070331234567890123456"));
  EXPECT_TRUE(iban_checksum_ok("DE89370400440532013000"));
  EXPECT_FALSE(iban_checksum_ok("DE89370400440532013001"));
  EXPECT_FALSE(iban_checksum_ok("GB82WEST12345698765433"));
  EXPECT_FALSE(looks_like_iban("ACC12345"));
  EXPECT_FALSE(looks_like_iban("12345678901234567"));
}

TEST(Validation, TokenTextIsPrintableAsciiWithoutOuterSpaces) {
  EXPECT_TRUE(is_token_text("abc-123_XYZ", 255));
  EXPECT_TRUE(is_token_text("FUND 001", 35));
  EXPECT_FALSE(is_token_text("", 255));
  EXPECT_FALSE(is_token_text(" abc", 255));
  EXPECT_FALSE(is_token_text("abc\n", 255));
  EXPECT_FALSE(is_token_text("caf\xC3\xA9", 255));
  EXPECT_FALSE(is_token_text(std::string(256, 'a'), 255));
  EXPECT_TRUE(is_country_code("AE"));
  EXPECT_FALSE(is_country_code("ae"));
  EXPECT_FALSE(is_country_code("ARE"));
}

}  // namespace
}  // namespace deltran::gateway
