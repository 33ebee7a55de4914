#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>

#include "daemon/validate/internal.h"
#include "daemon/validate/validate.h"
#include "tests/validate/fixtures.h"

namespace mab::validate {
namespace {

using namespace std::literals;
using test::base64;
using test::gif;
using test::jpeg_jfif;
using test::png;

// Words, dates, ids, paths and fragments of signatures, in random order and line breaks (which
// base64 runs continue across). Not "/9j/": a run starting with it is base64 of a JPEG start.
std::string random_text(std::size_t n, std::uint32_t seed) {
  static constexpr std::string_view words[] = {"the",
                                               "child",
                                               "was",
                                               "not",
                                               "brought",
                                               "to",
                                               "school",
                                               "on",
                                               "Monday",
                                               "and",
                                               "mum",
                                               "said",
                                               "she",
                                               "had",
                                               "moved",
                                               "house.",
                                               "BMW",
                                               "GIF",
                                               "data",
                                               "RIFF",
                                               "ftyp",
                                               "JFIF",
                                               "Exif,",
                                               "2025-06-01",
                                               "E09000001",
                                               "9434765919",
                                               "iVBOR",
                                               "9j",
                                               "/work/main/notes.txt",
                                               "https://example.org/case/42",
                                               "AAAA",
                                               "Qk",
                                               "R0lG"};
  std::mt19937 gen(seed);
  std::string out;
  while (out.size() < n) {
    out += words[gen() % std::size(words)];
    out += gen() % 7 == 0 ? '\n' : ' ';
  }
  return out;
}

TEST(FindImageSignature, FindsRawMagicNumbers) {
  EXPECT_EQ(find_image_signature(jpeg_jfif), "JPEG");
  EXPECT_EQ(find_image_signature(png), "PNG");
  EXPECT_EQ(find_image_signature(gif), "GIF");
}

TEST(FindImageSignature, FindsAnImageHiddenAfterText) {
  EXPECT_EQ(find_image_signature("Please see the attached photo: " + png), "PNG");
  EXPECT_EQ(find_image_signature("note\n\n" + jpeg_jfif + "trailing"), "JPEG");
}

TEST(FindImageSignature, FindsDataUrlsCaseInsensitively) {
  EXPECT_EQ(find_image_signature("<img src=\"data:image/png;base64,iVBORw0KGgo=\">"), "PNG");
  EXPECT_EQ(find_image_signature("DATA:Image/JPEG;base64,xyz"), "JPEG");
  EXPECT_EQ(find_image_signature("see data:video/mp4;base64,AAAA"), "MP4/MOV");
  EXPECT_EQ(find_image_signature("data:image/svg+xml,%3Csvg%3E"), "image/svg+xml");
  EXPECT_EQ(find_image_signature("the data: image/png was not attached"), std::nullopt);
}

TEST(FindImageSignature, FindsBase64OfImages) {
  const std::string jpeg_b64 = base64(jpeg_jfif + std::string(30, '\x11'));
  ASSERT_TRUE(jpeg_b64.starts_with("/9j/"));
  EXPECT_EQ(find_image_signature(jpeg_b64), "JPEG");
  EXPECT_EQ(find_image_signature(base64(png)), "PNG");
  EXPECT_TRUE(base64(png).starts_with("iVBORw0KGgo"));
  EXPECT_EQ(find_image_signature(base64(gif + "\x00\x00\x00\x00\x00\x00\x00\x00"s)), "GIF");
  // A TIFF header is short, so only trusted where the base64 starts.
  EXPECT_EQ(find_image_signature(base64("II*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00"s)),
            "TIFF");
}

TEST(FindImageSignature, FindsBase64AfterATextPrefix) {
  const std::string b64 = base64(jpeg_jfif + std::string(30, '\x22'));
  EXPECT_EQ(find_image_signature("Photo of the bruise: " + b64), "JPEG");
  // Glued to a word, the base64 starts at an unknown offset inside the run.
  EXPECT_EQ(find_image_signature("Photo" + b64), "JPEG");
  EXPECT_EQ(find_image_signature("Ph" + base64(png)), "PNG");
  // Hidden inside the encoded bytes rather than in front of them.
  EXPECT_EQ(find_image_signature(base64("some text first, then " + png)), "PNG");
}

TEST(FindImageSignature, FindsWrappedAndUrlSafeBase64) {
  std::string b64 = base64("prefix bytes " + png + std::string(100, '\x7F'));
  std::string wrapped;
  for (std::size_t i = 0; i < b64.size(); i += 76) wrapped += b64.substr(i, 76) + "\r\n";
  EXPECT_EQ(find_image_signature(wrapped), "PNG");
  std::string url_safe = base64(jpeg_jfif + "\xFB\xFF\xFE\xFB\xFF\xFE"s);
  for (char& c : url_safe) c = c == '+' ? '-' : c == '/' ? '_' : c;
  EXPECT_EQ(find_image_signature(url_safe), "JPEG");
}

TEST(FindImageSignature, FindsHexOfImages) {
  EXPECT_EQ(find_image_signature("ffd8ffe000104a46494600010100000100010000"), "JPEG");
  EXPECT_EQ(find_image_signature("blob=0x89504E470D0A1A0A0000000D49484452"), "PNG");
}

TEST(FindImageSignature, ReportsHowTheImageWasHidden) {
  EXPECT_EQ(detail::find_image(png)->encoding, "");
  EXPECT_EQ(detail::find_image(base64(png))->encoding, "base64-encoded");
  EXPECT_EQ(detail::find_image("x=89504e470d0a1a0a0000")->encoding, "hex-encoded");
  EXPECT_EQ(detail::find_image("data:image/gif;base64,R0lGODlh")->encoding, "in a data: URL");
}

TEST(FindImageSignature, LeavesOrdinaryTextAlone) {
  EXPECT_EQ(find_image_signature(""), std::nullopt);
  EXPECT_EQ(find_image_signature("BMW"), std::nullopt);
  EXPECT_EQ(find_image_signature("BMW estate, blue, seen twice near the park."), std::nullopt);
}

TEST(FindImageSignature, ErrsTowardsRefusingLiteralSignatures) {
  // Six fixed bytes are as distinctive in text as in a file; the rule refuses rather than guess.
  EXPECT_EQ(find_image_signature("Child said the GIF89a file was on her phone."), "GIF");
}

TEST(FindImageSignature, LeavesIdentifiersAndEncodedTextAlone) {
  EXPECT_EQ(find_image_signature("3f2b8c1e-5d4a-4c6b-9e7f-0a1b2c3d4e5f"), std::nullopt);
  EXPECT_EQ(
      find_image_signature("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      std::nullopt);
  EXPECT_EQ(find_image_signature(base64("An ordinary referral summary, base64 encoded.")),
            std::nullopt);
  EXPECT_EQ(find_image_signature("safeguarding-partnership-multi-agency_hub_referrals"),
            std::nullopt);
}

TEST(FindImageSignature, LeavesRandomTextAlone) {
  for (std::uint32_t seed = 1; seed <= 8; ++seed) {
    EXPECT_EQ(find_image_signature(random_text(1 << 16, seed)), std::nullopt) << seed;
  }
}

TEST(FindImageSignature, ScansAMegabyteQuickly) {
  // Runs on every message: a 1 MiB message of worst-case input (one long base64 run) must scan
  // in time linear in its size. The bound is loose so slow CI machines pass.
  std::string big(1 << 20, 'A');
  for (std::size_t i = 0; i < big.size(); i += 7) big[i] = 'q';
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(find_image_signature(big), std::nullopt);
  EXPECT_EQ(find_image_signature(random_text(1 << 20, 99)), std::nullopt);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace mab::validate
