// A self-signed certificate for a local HTTPS endpoint: EC P-256 (every browser and TLS stack
// accepts it), SHA-256 signature, the hostnames as subject alternative names.
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <memory>

#include "daemon/crypto/crypto.h"
#include "daemon/http/http.h"

namespace mab::http {
namespace {

template <class T, void (*Free)(T*)>
struct deleter {
  void operator()(T* p) const { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO, BIO_free_all>>;
using bn_ptr = std::unique_ptr<BIGNUM, deleter<BIGNUM, BN_free>>;
using ext_ptr = std::unique_ptr<X509_EXTENSION, deleter<X509_EXTENSION, X509_EXTENSION_free>>;
void free_names(GENERAL_NAMES* n) { GENERAL_NAMES_free(n); }
using names_ptr = std::unique_ptr<GENERAL_NAMES, deleter<GENERAL_NAMES, free_names>>;

// Letters, digits, '-', '.', and a leading "*." wildcard; what a DNS SAN may hold.
bool is_dns_name(const std::string& h) {
  if (h.empty() || h.size() > 253 || h.front() == '.' || h.back() == '.') return false;
  for (std::size_t i = 0; i < h.size(); ++i) {
    const char c = h[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || (c == '*' && i == 0 && h.size() > 2 && h[1] == '.');
    if (!ok) return false;
  }
  return h.find("..") == std::string::npos;
}

// Adds one SAN: an IP address when `h` parses as one, else a DNS name.
bool add_name(GENERAL_NAMES* names, const std::string& h) {
  GENERAL_NAME* gn = nullptr;
  if (ASN1_OCTET_STRING* ip = a2i_IPADDRESS(h.c_str())) {
    gn = GENERAL_NAME_new();
    if (gn != nullptr)
      GENERAL_NAME_set0_value(gn, GEN_IPADD, ip);
    else
      ASN1_OCTET_STRING_free(ip);
  } else {
    if (!is_dns_name(h)) return false;
    ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
    if (dns == nullptr || ASN1_STRING_set(dns, h.data(), static_cast<int>(h.size())) != 1) {
      ASN1_IA5STRING_free(dns);
      return false;
    }
    gn = GENERAL_NAME_new();
    if (gn != nullptr)
      GENERAL_NAME_set0_value(gn, GEN_DNS, dns);
    else
      ASN1_IA5STRING_free(dns);
  }
  if (gn == nullptr) return false;
  if (sk_GENERAL_NAME_push(names, gn) == 0) {
    GENERAL_NAME_free(gn);
    return false;
  }
  return true;
}

bool add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  ext_ptr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  return ext != nullptr && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool set_serial(X509* cert) {
  // 127 random bits, positive: unique enough that two local certificates never collide.
  std::string bytes = crypto::random_bytes(16);
  bytes[0] = static_cast<char>(static_cast<unsigned char>(bytes[0]) & 0x7f);
  bn_ptr bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()), nullptr));
  return bn != nullptr && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr;
}

bool set_name(X509* cert, const std::string& first) {
  X509_NAME* subject = X509_get_subject_name(cert);
  const std::string cn = first.substr(0, 64);  // the CN's upper bound
  if (X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("mab local"), -1, -1,
                                 0) != 1 ||
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) != 1) {
    return false;
  }
  return X509_set_issuer_name(cert, subject) == 1;
}

result<x509_ptr> make_cert(EVP_PKEY* key, const std::vector<std::string>& hostnames, int days) {
  x509_ptr cert(X509_new());
  names_ptr names(sk_GENERAL_NAME_new_null());
  if (!cert || !names) return make_error("http: out of memory creating a certificate");
  for (const std::string& h : hostnames) {
    if (!add_name(names.get(), h)) {
      return make_error("http: \"" + h + "\" is neither an IP address nor a DNS name");
    }
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  const bool built =
      X509_set_version(cert.get(), 2) == 1 && set_serial(cert.get()) &&
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300) != nullptr &&
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400) != nullptr &&
      set_name(cert.get(), hostnames.front()) && X509_set_pubkey(cert.get(), key) == 1 &&
      X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) ==
          1 &&
      add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
      add_ext(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature") &&
      add_ext(cert.get(), &ctx, NID_ext_key_usage, "serverAuth") &&
      add_ext(cert.get(), &ctx, NID_subject_key_identifier, "hash") &&
      X509_sign(cert.get(), key, EVP_sha256()) > 0;
  if (!built) return make_error("http: OpenSSL could not build the certificate");
  return cert;
}

// The PEM text of a BIO, without the final newline (the file writers add one).
std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string text(data, static_cast<std::size_t>(n > 0 ? n : 0));
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

}  // namespace

status write_self_signed(const std::string& cert_file, const std::string& key_file,
                         const std::vector<std::string>& hostnames, int days) {
  if (hostnames.empty()) return make_error("http: a certificate needs at least one hostname");
  if (days < 1 || days > 3650) return make_error("http: certificate validity must be 1..3650 days");
  pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return make_error("http: OpenSSL could not generate a P-256 key");
  auto cert = make_cert(key.get(), hostnames, days);
  if (!cert) return cert.err();

  bio_ptr key_bio(BIO_new(BIO_s_mem()));
  bio_ptr cert_bio(BIO_new(BIO_s_mem()));
  if (!key_bio || !cert_bio ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509(cert_bio.get(), cert->get()) != 1) {
    return make_error("http: OpenSSL could not encode the certificate or key");
  }
  std::string key_pem = bio_text(key_bio.get());
  // The key first: a certificate without its key is useless, a key alone is harmless to redo.
  status st = crypto::write_secret_file(key_file, key_pem, false);
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
  if (!st) return make_error("http: cannot write key file: " + st.message());
  st = crypto::write_public_file(cert_file, bio_text(cert_bio.get()), false);
  if (!st) {
    std::error_code ignored;
    std::filesystem::remove(key_file, ignored);  // we created it; a key without its cert is noise
    return make_error("http: cannot write certificate file: " + st.message());
  }
  return ok_status();
}

}  // namespace mab::http
