// Incremental message digests through OpenSSL's EVP interface: MD5 (ETags, Content-MD5)
// and SHA-256 (SigV4).
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

namespace s3dest {

class Digest {
 public:
  static Digest md5() { return Digest(EVP_md5()); }
  static Digest sha256() { return Digest(EVP_sha256()); }

  void update(std::string_view bytes) { EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()); }
  // The raw digest; the object can not be updated afterwards.
  std::string finish() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_.get(), out, &n);
    return std::string(reinterpret_cast<char*>(out), n);
  }

 private:
  struct Free {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  explicit Digest(const EVP_MD* md) : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_.get(), md, nullptr); }
  std::unique_ptr<EVP_MD_CTX, Free> ctx_;
};

inline std::string sha256(std::string_view bytes) {
  Digest d = Digest::sha256();
  d.update(bytes);
  return d.finish();
}

}  // namespace s3dest
