#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "daemon/crypto/crypto.h"

namespace mab::crypto {
namespace {

namespace fs = std::filesystem;

class KeyFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "mab_crypto_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static mode_t mode_of(const std::string& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  }

  static std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }

  static void spit(const std::string& p, const std::string& contents) {
    std::ofstream(p, std::ios::binary) << contents;
  }

  fs::path dir_;
};

// Sets a umask for one scope and restores the previous one.
class scoped_umask {
 public:
  explicit scoped_umask(mode_t mask) : old_(::umask(mask)) {}
  ~scoped_umask() { ::umask(old_); }
  scoped_umask(const scoped_umask&) = delete;
  scoped_umask& operator=(const scoped_umask&) = delete;

 private:
  mode_t old_;
};

TEST_F(KeyFiles, SecretFileIsOwnerOnlyEvenWithUmaskZero) {
  scoped_umask mask(0);
  const std::string p = path("signing.key");
  const status st = write_secret_file(p, "c2VjcmV0", false);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(mode_of(p), 0600u);
  EXPECT_EQ(slurp(p), "c2VjcmV0\n");
}

TEST_F(KeyFiles, OverwrittenSecretFileIsOwnerOnly) {
  scoped_umask mask(0);
  const std::string p = path("signing.key");
  spit(p, "old");
  ASSERT_EQ(::chmod(p.c_str(), 0666), 0);
  const status st = write_secret_file(p, "new", true);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(mode_of(p), 0600u);
  EXPECT_EQ(slurp(p), "new\n");
  // No temporary file left behind next to the key.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(KeyFiles, PublicFileMode) {
  {
    scoped_umask mask(0);
    ASSERT_TRUE(write_public_file(path("a.pub"), "pub", false).ok());
    EXPECT_EQ(mode_of(path("a.pub")), 0644u);
  }
  {
    scoped_umask mask(077);
    ASSERT_TRUE(write_public_file(path("b.pub"), "pub", false).ok());
    EXPECT_EQ(mode_of(path("b.pub")), 0644u);
  }
  EXPECT_EQ(slurp(path("a.pub")), "pub\n");
}

TEST_F(KeyFiles, RefusesToOverwrite) {
  const std::string p = path("signing.key");
  spit(p, "keep me");
  const status st = write_secret_file(p, "replacement", false);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(p), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("overwrite"), std::string::npos) << st.message();
  EXPECT_EQ(slurp(p), "keep me");

  EXPECT_FALSE(write_public_file(p, "replacement", false).ok());
  EXPECT_EQ(slurp(p), "keep me");
  EXPECT_TRUE(write_public_file(p, "replacement", true).ok());
  EXPECT_EQ(slurp(p), "replacement\n");
}

TEST_F(KeyFiles, WriteErrorNamesPath) {
  const std::string p = path("missing_dir/signing.key");
  const status a = write_secret_file(p, "x", false);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.message().find(p), std::string::npos) << a.message();
  const status b = write_secret_file(p, "x", true);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.message().find(p), std::string::npos) << b.message();
}

TEST_F(KeyFiles, ReadTrimsWhitespace) {
  const std::string p = path("k");
  spit(p, " \t\n abc def \r\n\n");
  auto r = read_key_file(p);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(*r, "abc def");
  spit(p, "");
  r = read_key_file(p);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(*r, "");
}

TEST_F(KeyFiles, ReadErrorsNamePath) {
  const std::string missing = path("nope.key");
  auto r = read_key_file(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find(missing), std::string::npos) << r.message();

  auto d = read_key_file(dir_.string());
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.message().find(dir_.string()), std::string::npos) << d.message();

  const std::string big = path("big.key");
  spit(big, std::string(100 * 1024, 'A'));
  auto b = read_key_file(big);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.message().find(big), std::string::npos) << b.message();

  auto s = load_signer(missing);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(missing), std::string::npos) << s.message();
  auto c = load_curve_secret(missing);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.message().find(missing), std::string::npos) << c.message();
}

TEST_F(KeyFiles, SignerRoundTripThroughFile) {
  const signing_key_pair pair = generate_signing_key();
  const std::string p = path("signing.key");
  ASSERT_TRUE(write_secret_file(p, base64_encode(pair.seed), false).ok());
  auto s = load_signer(p);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(s->public_key(), pair.public_key);
  EXPECT_TRUE(verify(pair.public_key, "m", s->sign("m")));
}

TEST_F(KeyFiles, LoadSignerRejectsBadBase64) {
  const std::string p = path("signing.key");
  spit(p, "not base64 at all!\n");
  auto s = load_signer(p);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(p), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("base64"), std::string::npos) << s.message();
}

TEST_F(KeyFiles, LoadSignerRejectsWrongLength) {
  const std::string p = path("signing.key");
  for (std::size_t n : {0u, 16u, 31u, 33u, 64u}) {
    std::error_code ec;
    fs::remove(p, ec);
    ASSERT_TRUE(write_secret_file(p, base64_encode(std::string(n, 'k')), false).ok());
    auto s = load_signer(p);
    ASSERT_FALSE(s.ok()) << n;
    EXPECT_NE(s.message().find(p), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("32-byte"), std::string::npos) << s.message();
  }
}

TEST_F(KeyFiles, CurveSecretRoundTripAndRejection) {
  const curve_key_pair pair = generate_curve_key();
  const std::string p = path("curve.key");
  ASSERT_TRUE(write_secret_file(p, pair.secret_z85, false).ok());
  auto r = load_curve_secret(p);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(*r, pair.secret_z85);

  const std::string bad = path("bad_curve.key");
  spit(bad, pair.secret_z85.substr(0, 39) + "\n");
  auto b = load_curve_secret(bad);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.message().find(bad), std::string::npos) << b.message();
  // The message must not leak the (partial) secret.
  EXPECT_EQ(b.message().find(pair.secret_z85.substr(0, 39)), std::string::npos) << b.message();
}

}  // namespace
}  // namespace mab::crypto
