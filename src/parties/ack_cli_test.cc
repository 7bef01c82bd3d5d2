// End-to-end: `deconflict party key generate|add|list|revoke` and `deconflict ack sign|verify`
// through the real binary ($DECONFLICT_BINARY, set by ctest) on a fresh store: a duty officer
// generates a key, the operator registers it, the officer signs, the operator verifies offline.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "common/digest.h"
#include "common/time.h"
#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/entry.h"
#include "parties/acknowledgement.h"
#include "parties/signing_key.h"
#include "store/signing_keys_table.h"
#include "store/sqlite.h"

namespace deconflict::parties {
namespace {

using ::testing::HasSubstr;

struct Result {
  int exit_code;
  std::string out;  // stdout
  std::string err;  // stderr
};

Result RunCli(const std::string& args) {
  const char* binary = std::getenv("DECONFLICT_BINARY");
  const std::string err_file =
      (std::filesystem::temp_directory_path() / ("ack_cli_stderr_" + std::to_string(::getpid())))
          .string();
  const std::string command =
      std::string(binary ? binary : "deconflict") + " " + args + " 2>" + err_file;
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  const int status = ::pclose(pipe);
  std::string err;
  if (FILE* f = std::fopen(err_file.c_str(), "r")) {
    while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0) err.append(buffer, n);
    std::fclose(f);
  }
  std::filesystem::remove(err_file);
  return Result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, err};
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

class AckCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::getenv("DECONFLICT_BINARY")) GTEST_SKIP() << "DECONFLICT_BINARY is not set";
    dir_ = std::filesystem::temp_directory_path() /
           ("ack_cli_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    for (const char* party : {"RU", "US"}) {
      Result added = RunCli(fmt::format("party add --data {} --id {} --name {} --role operator",
                                        data(), party, party));
      ASSERT_EQ(added.exit_code, 0) << added.err;
    }
    digest_hex_ = HexEncode(Sha256("message 42"));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string data() const { return dir_.string(); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // Generates a key file `name` and registers it for `party`; returns the key id.
  std::string GenerateAndRegister(const std::string& name, const std::string& party) {
    Result generated = RunCli("party key generate --out " + Path(name));
    EXPECT_EQ(generated.exit_code, 0) << generated.err;
    const std::string public_key = FirstLine(generated.out);
    Result added = RunCli(fmt::format("party key add --data {} --party {} --key {} --name desk",
                                      data(), party, public_key));
    EXPECT_EQ(added.exit_code, 0) << added.err;
    absl::StatusOr<std::string> raw = ParsePublicKey(public_key);
    EXPECT_TRUE(raw.ok()) << public_key;
    const std::string key_id = SigningKeyId(raw.value_or(""));
    EXPECT_THAT(added.out, HasSubstr("signing key " + key_id + " added for party " + party));
    return key_id;
  }

  std::string Statement(const std::string& party, const std::string& time) const {
    return fmt::format(
        "--kind hotline.message --object amman-hmeimim/42 --digest {} --party {} "
        "--time {}",
        digest_hex_, party, time);
  }

  Result Sign(const std::string& key_file, const std::string& party, const std::string& time) {
    return RunCli(fmt::format("ack sign --key {} {}", Path(key_file), Statement(party, time)));
  }

  Result Verify(const std::string& party, const std::string& time, const std::string& signature,
                const std::string& extra = "") {
    return RunCli(fmt::format("ack verify --data {} {} --signature {} {}", data(),
                              Statement(party, time), signature, extra));
  }

  std::string Now() const {
    return FormatAckTime(std::chrono::floor<std::chrono::seconds>(SystemClock().Now()));
  }

  std::filesystem::path dir_;
  std::string digest_hex_;
};

TEST_F(AckCliTest, GeneratedKeyIsPrivateAndItsRegisteredSignatureVerifies) {
  const std::string key_id = GenerateAndRegister("ru.key", "RU");
  struct stat st {};
  ASSERT_EQ(::stat(Path("ru.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  const std::string now = Now();
  Result signed_ack = Sign("ru.key", "RU", now);
  ASSERT_EQ(signed_ack.exit_code, 0) << signed_ack.err;
  const std::string signature = FirstLine(signed_ack.out);
  EXPECT_EQ(signature.size(), 88u) << signed_ack.out;

  Result verified = Verify("RU", now, signature);
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_THAT(verified.out, HasSubstr("OK: hotline.message amman-hmeimim/42 acknowledged by party "
                                      "RU at " +
                                      now + ", signed with key " + key_id));
  EXPECT_EQ(Verify("RU", now, signature, "--key-id " + key_id).exit_code, 0);

  // The CLI's signature is the library's: the statement is the documented one.
  absl::StatusOr<PrivateSigningKey> key = ReadPrivateKeyFile(Path("ru.key"));
  ASSERT_TRUE(key.ok()) << key.status();
  const AckStatement statement{.kind = "hotline.message",
                               .object_id = "amman-hmeimim/42",
                               .object_digest = Sha256("message 42"),
                               .party = PartyId("RU"),
                               .time = *ParseAckTime(now)};
  EXPECT_EQ(Base64(*SignAcknowledgement(*key, statement)), signature);
}

TEST_F(AckCliTest, VerifyRefusesChangedFieldsOtherPartiesKeysAndRevokedKeys) {
  const std::string ru_key = GenerateAndRegister("ru.key", "RU");
  GenerateAndRegister("us.key", "US");
  const std::string now = Now();
  const std::string signature = FirstLine(Sign("ru.key", "RU", now).out);

  Result other_object = RunCli(fmt::format(
      "ack verify --data {} --kind hotline.message --object amman-hmeimim/43 --digest {} "
      "--party RU --time {} --signature {}",
      data(), digest_hex_, now, signature));
  EXPECT_EQ(other_object.exit_code, 1);
  EXPECT_THAT(other_object.err, HasSubstr("signature: does not verify"));

  // US's key signing for RU.
  const std::string us_signature = FirstLine(Sign("us.key", "RU", now).out);
  Result wrong_party = Verify("RU", now, us_signature);
  EXPECT_EQ(wrong_party.exit_code, 1);
  EXPECT_THAT(wrong_party.err, HasSubstr("cannot sign for party RU"));

  // Too far from the clock, unless --any-time.
  const std::string old = "2020-01-01T00:00:00Z";
  const std::string old_signature = FirstLine(Sign("ru.key", "RU", old).out);
  EXPECT_THAT(Verify("RU", old, old_signature).err, HasSubstr("time: 2020-01-01T00:00:00Z is"));
  EXPECT_EQ(Verify("RU", old, old_signature, "--any-time").exit_code, 0);

  // Revoked: listed as such, and refused.
  Result revoked = RunCli(fmt::format("party key revoke --data {} --key-id {}", data(), ru_key));
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  Result listed = RunCli(fmt::format("party key list --data {} --party RU", data()));
  EXPECT_THAT(listed.out, HasSubstr(ru_key));
  EXPECT_THAT(listed.out, HasSubstr("revoked"));
  Result after = Verify("RU", now, signature);
  EXPECT_EQ(after.exit_code, 1);
  EXPECT_THAT(after.err, HasSubstr("key_id: key " + ru_key + " of party RU was revoked at"));

  // Every add and revoke is in the ledger, and ledger check still finds the store consistent.
  Result check = RunCli("ledger check --data " + data());
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  // An edit of the table that un-revokes the key is found by ledger check.
  {
    auto db =
        store::Database::Open((dir_ / "deconflict.db").string(), store::Database::Mode::kReadWrite);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->Exec("UPDATE signing_keys SET revoked_at = NULL").ok());
  }
  Result tampered = RunCli("ledger check --data " + data());
  EXPECT_EQ(tampered.exit_code, 1);
  EXPECT_THAT(tampered.out + tampered.err,
              HasSubstr("signing_keys row " + ru_key + ": revoked_at"));
}

TEST_F(AckCliTest, BadInputIsRefusedNamingTheOption) {
  EXPECT_THAT(RunCli("party key add --data " + data() + " --party RU --key abc").err,
              HasSubstr("--key: "));
  EXPECT_THAT(RunCli("party key revoke --data " + data() + " --key-id zz").err,
              HasSubstr("--key-id: must be 16 hex digits"));
  EXPECT_THAT(RunCli("party key list --data " + Path("nowhere")).err, HasSubstr("no store in"));
  Result generated = RunCli("party key generate --out " + Path("k"));
  ASSERT_EQ(generated.exit_code, 0);
  EXPECT_THAT(RunCli("party key generate --out " + Path("k")).err, HasSubstr("never overwritten"));
  EXPECT_THAT(RunCli(fmt::format("ack sign --key {} --kind hotline.message --object x --digest 12 "
                                 "--party RU",
                                 Path("k")))
                  .err,
              HasSubstr("--digest: must be 64 hex digits"));
  EXPECT_THAT(RunCli(fmt::format("ack sign --key {} {}", Path("k"),
                                 Statement("RU", "2026-11-25T07:00:00.5Z")))
                  .err,
              HasSubstr("--time: must be UTC in whole seconds"));
  EXPECT_THAT(Verify("RU", Now(), "!!").err, HasSubstr("--signature: is not base64"));
}

}  // namespace
}  // namespace deconflict::parties
