#include "daemon/validate/signatures.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include "tests/validate/fixtures.h"

namespace mab::validate::detail {
namespace {

using namespace std::literals;
using test::gif;
using test::jpeg_jfif;
using test::png;

std::optional<std::string> at_start(std::string_view d) {
  auto f = find_binary_signature(d, true);
  return f ? std::optional<std::string>(std::string(*f)) : std::nullopt;
}

std::string iso_bmff(std::string_view brand) {
  return "\x00\x00\x00\x18"s + "ftyp" + std::string(brand) + "\x00\x00\x00\x00" + "mif1heic";
}

// A 2x2 24-bit BMP header as Windows writes it.
std::string bmp_header() {
  return "BM\x46\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00"s
         "\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00\x18\x00"s +
         std::string(40, '\0');
}

std::string random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(gen() & 0xFF);
  return out;
}

TEST(Signatures, RecognisesStillImageFormatsAtTheStart) {
  EXPECT_EQ(at_start(jpeg_jfif), "JPEG");
  EXPECT_EQ(at_start("\xFF\xD8\xFF\xE2\x00\x10ICC_PROFILE"s), "JPEG");
  EXPECT_EQ(at_start(png), "PNG");
  EXPECT_EQ(at_start(gif), "GIF");
  EXPECT_EQ(at_start("GIF87a\x01\x00\x01\x00"s), "GIF");
  EXPECT_EQ(at_start("RIFF\x24\x00\x00\x00WEBPVP8 "s), "WebP");
  EXPECT_EQ(at_start(bmp_header()), "BMP");
  EXPECT_EQ(at_start("II*\x00\x08\x00\x00\x00"s), "TIFF");
  EXPECT_EQ(at_start("MM\x00*\x00\x00\x00\x08"s), "TIFF");
  EXPECT_EQ(at_start("8BPS\x00\x01\x00\x00"s), "PSD");
  EXPECT_EQ(at_start("\x00\x00\x00\x0CjP  \r\n\x87\n"s), "JPEG 2000");
  EXPECT_EQ(at_start("\x00\x00\x00\x0CJXL \r\n\x87\n"s), "JPEG XL");
}

TEST(Signatures, NamesIsoBmffByBrand) {
  EXPECT_EQ(at_start(iso_bmff("heic")), "HEIC");
  EXPECT_EQ(at_start(iso_bmff("heix")), "HEIC");
  EXPECT_EQ(at_start(iso_bmff("mif1")), "HEIC");
  EXPECT_EQ(at_start(iso_bmff("msf1")), "HEIC");
  EXPECT_EQ(at_start(iso_bmff("avif")), "AVIF");
  EXPECT_EQ(at_start(iso_bmff("isom")), "MP4/MOV");
  EXPECT_EQ(at_start(iso_bmff("iso2")), "MP4/MOV");
  EXPECT_EQ(at_start(iso_bmff("mp41")), "MP4/MOV");
  EXPECT_EQ(at_start(iso_bmff("mp42")), "MP4/MOV");
  EXPECT_EQ(at_start(iso_bmff("qt  ")), "MP4/MOV");
  EXPECT_EQ(at_start(iso_bmff("M4V ")), "MP4/MOV");
  EXPECT_EQ(at_start(iso_bmff("3gp5")), "MP4/MOV");
  EXPECT_EQ(at_start(iso_bmff("M4A ")), std::nullopt);  // audio
}

TEST(Signatures, RecognisesVideoFormatsAtTheStart) {
  EXPECT_EQ(at_start("RIFF\x24\x00\x00\x00"
                     "AVI LIST"s),
            "AVI");
  EXPECT_EQ(at_start("\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01"s), "Matroska/WebM");
  EXPECT_EQ(at_start("\x00\x00\x01\xBA\x44\x00\x04\x00"s), "MPEG");
  EXPECT_EQ(at_start("\x00\x00\x01\xB3\x16\x00\xF0\x15"s), "MPEG");
  EXPECT_EQ(at_start("FLV\x01\x05\x00\x00\x00\x09"s), "FLV");
  std::string ts(188 * 4, '\xFF');
  for (std::size_t i = 0; i < ts.size(); i += 188) ts[i] = 0x47;
  EXPECT_EQ(at_start(ts), "MPEG-TS");
}

TEST(Signatures, FindsDistinctiveSignaturesAfterAPrefix) {
  const std::string prefix = "Case notes follow.\n";
  EXPECT_EQ(at_start(prefix + jpeg_jfif), "JPEG");
  EXPECT_EQ(at_start(prefix + "\xFF\xD8\xFF\xE1\x12\x34"
                              "Exif\x00\x00"s),
            "JPEG");
  EXPECT_EQ(at_start(prefix + "\xFF\xD8\xFF\xDB\x00\x43\x00"s), "JPEG");
  EXPECT_EQ(at_start(prefix + "\xFF\xD8\xFF\xEE\x00\x0E"
                              "Adobe"s),
            "JPEG");
  EXPECT_EQ(at_start(prefix + png), "PNG");
  EXPECT_EQ(at_start(prefix + gif), "GIF");
  EXPECT_EQ(at_start(prefix + "RIFF\x24\x00\x00\x00WEBPVP8 "s), "WebP");
  EXPECT_EQ(at_start(prefix + iso_bmff("heic")), "HEIC");
  EXPECT_EQ(at_start(prefix + "\x1A\x45\xDF\xA3\xA3\x42\x82\x84webm"s), "Matroska/WebM");
  EXPECT_EQ(find_binary_signature(prefix + png, false), "PNG"sv);
}

TEST(Signatures, TrustsShortSignaturesOnlyAtTheStart) {
  const std::string prefix = "x";
  EXPECT_EQ(at_start(prefix + "\xFF\xD8\xFF\xE2\x00\x10ICC_PROFILE"s), std::nullopt);
  EXPECT_EQ(at_start(prefix + bmp_header()), std::nullopt);
  EXPECT_EQ(at_start(prefix + "II*\x00\x08\x00\x00\x00"s), std::nullopt);
  EXPECT_EQ(at_start(prefix + "\x00\x00\x01\xBA\x44"s), std::nullopt);
  EXPECT_EQ(at_start(prefix + "FLV\x01\x05"s), std::nullopt);
  EXPECT_EQ(at_start(prefix + "\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01"s), std::nullopt);
  EXPECT_EQ(find_binary_signature(jpeg_jfif.substr(0, 3), false), std::nullopt);
}

TEST(Signatures, RecognisesIconsByTheirDirectory) {
  // One 32x32 4-bit icon, 744 bytes, right after the 6 + 16 byte directory.
  const std::string ico = "\x00\x00\x01\x00\x01\x00\x20\x20\x10\x00\x01\x00\x04\x00"
                          "\xE8\x02\x00\x00\x16\x00\x00\x00"s +
                          std::string(40, '\0');
  EXPECT_EQ(at_start(ico), "ICO");
  // The same four leading bytes in a table of small integers.
  EXPECT_EQ(at_start("\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x03\x00"
                     "\x00\x00\x04\x00\x00\x00\x05\x00"s),
            std::nullopt);
}

TEST(Signatures, DoesNotMistakeTextForBmp) {
  EXPECT_EQ(at_start("BMW seen outside the school gates at 15:30."), std::nullopt);
  EXPECT_EQ(at_start("BMI recorded as 14.2 at the last appointment."), std::nullopt);
  EXPECT_EQ(at_start("BM"), std::nullopt);
}

TEST(Signatures, IgnoresOrdinaryDocuments) {
  EXPECT_EQ(at_start("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), std::nullopt);
  EXPECT_EQ(at_start("PK\x03\x04\x14\x00\x06\x00"s), std::nullopt);
  EXPECT_EQ(at_start("{\"referral\": \"GIF of a cat\", \"ftyp\": 1}"), std::nullopt);
  EXPECT_EQ(at_start(""), std::nullopt);
}

TEST(Signatures, RandomBytesAreNotImages) {
  // Compressed documents look like this; a chance match would refuse them for good.
  for (std::uint32_t seed = 1; seed <= 8; ++seed) {
    std::string data = random_bytes(1 << 17, seed);
    data[0] = 'x';  // random data may start with FF D8 FF; the start rules are exercised above
    EXPECT_EQ(at_start(data), std::nullopt) << seed;
  }
}

}  // namespace
}  // namespace mab::validate::detail
