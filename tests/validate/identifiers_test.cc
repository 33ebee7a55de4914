#include <gtest/gtest.h>

#include "daemon/validate/internal.h"
#include "daemon/validate/validate.h"

namespace mab::validate {
namespace {

TEST(NhsNumber, AcceptsValidCheckDigit) {
  EXPECT_TRUE(valid_nhs_number("9434765919"));
  EXPECT_TRUE(valid_nhs_number("4010232137"));
}

TEST(NhsNumber, RejectsWrongCheckDigit) {
  EXPECT_FALSE(valid_nhs_number("9434765918"));
  EXPECT_EQ(detail::nhs_number_problem("9434765918"), "fails the modulus-11 check digit");
}

TEST(NhsNumber, RejectsDigitsWhoseCheckWouldBeTen) {
  // 1*10 + 1*2 = 12; 11 - 12 mod 11 = 10, which is never issued, whatever the last digit.
  for (char last = '0'; last <= '9'; ++last) {
    EXPECT_FALSE(valid_nhs_number(std::string("100000001") + last)) << last;
  }
}

TEST(NhsNumber, CheckOfElevenIsZero) {
  // 1*9 + 1*2 = 11: 11 - 0 = 11, written as 0.
  EXPECT_TRUE(valid_nhs_number("0100000010"));
  EXPECT_FALSE(valid_nhs_number("0100000011"));
}

TEST(NhsNumber, RejectsWrongShape) {
  EXPECT_FALSE(valid_nhs_number(""));
  EXPECT_FALSE(valid_nhs_number("943476591"));
  EXPECT_FALSE(valid_nhs_number("94347659190"));
  EXPECT_FALSE(valid_nhs_number("943 476 5919"));
  EXPECT_FALSE(valid_nhs_number("943476591X"));
  EXPECT_EQ(detail::nhs_number_problem("943 476 5919"), "is not exactly 10 digits");
}

TEST(Upn, AcceptsValidPermanentUpns) {
  EXPECT_TRUE(valid_upn("B801200005001"));
  // Often quoted as Q207000016049, from a worked example that adds its products to 267; they
  // add to 266, and 266 mod 23 = 13 is P.
  EXPECT_TRUE(valid_upn("P207000016049"));
}

TEST(Upn, RejectsWrongCheckLetter) {
  EXPECT_FALSE(valid_upn("A801200005001"));
  EXPECT_FALSE(valid_upn("B207000016049"));
  EXPECT_FALSE(valid_upn("Q207000016049"));
  EXPECT_EQ(detail::upn_problem("A801200005001"), "fails the modulus-23 check letter");
}

TEST(Upn, TemporaryUpnLetterCountsByItsAlphabetValue) {
  // Last character A counts 0: 8*2 + 1*4 + 2*5 + 5*10 = 80; 80 mod 23 = 11 = M.
  EXPECT_TRUE(valid_upn("M80120000500A"));
  EXPECT_FALSE(valid_upn("N80120000500A"));
  // Z counts 22: 80 + 22*13 = 366; 366 mod 23 = 21 = Y.
  EXPECT_TRUE(valid_upn("Y80120000500Z"));
}

TEST(Upn, RejectsWrongShape) {
  EXPECT_FALSE(valid_upn(""));
  EXPECT_FALSE(valid_upn("B80120000500"));
  EXPECT_FALSE(valid_upn("B8012000050011"));
  EXPECT_FALSE(valid_upn("b801200005001"));
  EXPECT_FALSE(valid_upn("X80120000A001"));  // middle must be digits
  EXPECT_FALSE(valid_upn("I801200005001"));  // I, O and S are never check letters
  EXPECT_FALSE(valid_upn("M80120000500O"));
  EXPECT_FALSE(valid_upn("M80120000500S"));
  EXPECT_FALSE(valid_upn("B801200005001 "));
}

TEST(IsoDate, AcceptsRealDates) {
  EXPECT_TRUE(valid_iso_date("2014-03-02"));
  EXPECT_TRUE(valid_iso_date("2024-02-29"));
  EXPECT_TRUE(valid_iso_date("2000-02-29"));
  EXPECT_TRUE(valid_iso_date("0001-01-01"));
  EXPECT_TRUE(valid_iso_date("9999-12-31"));
}

TEST(IsoDate, RejectsImpossibleOrMalformedDates) {
  EXPECT_FALSE(valid_iso_date("2023-02-29"));
  EXPECT_FALSE(valid_iso_date("1900-02-29"));
  EXPECT_FALSE(valid_iso_date("2024-04-31"));
  EXPECT_FALSE(valid_iso_date("2024-13-01"));
  EXPECT_FALSE(valid_iso_date("2024-00-10"));
  EXPECT_FALSE(valid_iso_date("2024-01-00"));
  EXPECT_FALSE(valid_iso_date("0000-01-01"));
  EXPECT_FALSE(valid_iso_date("2024-1-01"));
  EXPECT_FALSE(valid_iso_date("2024/01/01"));
  EXPECT_FALSE(valid_iso_date("02/01/2024"));
  EXPECT_FALSE(valid_iso_date("2024-01-01T00:00:00Z"));
  EXPECT_FALSE(valid_iso_date("+024-01-01"));
  EXPECT_FALSE(valid_iso_date(""));
}

TEST(Uuid, AcceptsCanonicalForm) {
  EXPECT_TRUE(detail::valid_uuid("3f2b8c1e-5d4a-4c6b-9e7f-0a1b2c3d4e5f"));
  EXPECT_TRUE(detail::valid_uuid("3F2B8C1E-5D4A-4C6B-9E7F-0A1B2C3D4E5F"));
}

TEST(Uuid, RejectsOtherForms) {
  EXPECT_FALSE(detail::valid_uuid("00000000-0000-0000-0000-000000000000"));
  EXPECT_FALSE(detail::valid_uuid("3f2b8c1e5d4a4c6b9e7f0a1b2c3d4e5f"));
  EXPECT_FALSE(detail::valid_uuid("{3f2b8c1e-5d4a-4c6b-9e7f-0a1b2c3d4e5f}"));
  EXPECT_FALSE(detail::valid_uuid("3f2b8c1e-5d4a-4c6b-9e7f-0a1b2c3d4e5g"));
  EXPECT_FALSE(detail::valid_uuid("3f2b8c1e-5d4a4-c6b-9e7f-0a1b2c3d4e5f"));
  EXPECT_FALSE(detail::valid_uuid(""));
}

}  // namespace
}  // namespace mab::validate
